using System.Net;
using System.Net.Http.Json;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Logins end to end through the real front ends, silos, PostgreSQL and Redis.</summary>
[Collection(SystemCollection.Name)]
public sealed class LoginFlowTests(SystemFixture system)
{
    private EmulatorHost Emulator => system.Emulator;

    [Fact]
    public async Task A_complete_login_gives_the_browser_the_user_and_a_valid_token()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        Assert.Equal("pending", created.Ticket.Status);
        Assert.True(created.TicketId.Length <= 32);

        var openId = await Emulator.CreateUserAsync(phone: "13600000001");
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await Emulator.LoginCodeAsync(openId));
        Assert.Equal("Functional test site", scan.AppName);
        Assert.Equal("127.0.0.1", scan.RequesterIp);

        var confirm = await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken, await Emulator.PhoneCodeAsync(openId));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal("confirmed", status.Status);

        var exchange = await Api.ExchangeAsync(system.A, status.ExchangeCode!, created.BrowserSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var body = (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!;
        Assert.Equal(tenant.PoolId, body.User.PoolId);
        Assert.Equal("+8613600000001", body.User.Phone);
        Assert.Equal("Bearer", body.TokenType);
        var site = new RelyingParty(system.B, tenant.PoolId);
        var verified = await site.ValidateAccessTokenAsync(body.AccessToken, await site.JwksAsync(), tenant.AppId);
        Assert.True(verified.IsValid, verified.Exception?.Message);
        Assert.Equal(body.User.Id, ((Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)verified.SecurityToken).Subject);

        // The status read never shows a token, and after the exchange not even the code.
        var after = await system.A.GetStringAsync($"/api/tickets/{created.TicketId}");
        Assert.DoesNotContain(body.AccessToken, after);
        Assert.Contains("\"consumed\"", after);
    }

    [Fact]
    public async Task The_application_backend_can_exchange_with_its_secret()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)));
        await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        var code = (await Api.StatusAsync(system.A, created.TicketId)).ExchangeCode!;

        var response = await Api.BackendExchangeAsync(system.B, code, tenant.AppId, tenant.AppSecret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ExchangeResponse>())!;
        Assert.Equal((tenant.PoolId, "Bearer"), (body.User.PoolId, body.TokenType));
        Assert.Equal(body.User.Id, await Api.VerifiedSubjectAsync(system.A, tenant.PoolId, tenant.AppId, body.AccessToken));
        Assert.Equal("consumed", (await Api.StatusAsync(system.A, created.TicketId)).Status);
        // The code was for one exchange: the backend cannot spend it twice either.
        await Api.ProblemAsync(await Api.BackendExchangeAsync(system.A, code, tenant.AppId, tenant.AppSecret), HttpStatusCode.Conflict, "ticket_already_exchanged");
    }

    [Fact]
    public async Task Another_applications_valid_secret_cannot_exchange_the_ticket()
    {
        var tenant = await system.CreateTenantAsync();
        var other = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)));
        await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        var code = (await Api.StatusAsync(system.A, created.TicketId)).ExchangeCode!;

        await Api.ProblemAsync(await Api.BackendExchangeAsync(system.B, code, other.AppId, other.AppSecret), HttpStatusCode.Forbidden, "exchange_forbidden");
        Assert.Equal("confirmed", (await Api.StatusAsync(system.A, created.TicketId)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.BackendExchangeAsync(system.B, code, tenant.AppId, tenant.AppSecret)).StatusCode);
    }

    [Fact]
    public async Task A_second_exchange_is_refused_but_a_retry_with_the_same_idempotency_key_gets_the_same_tokens()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)));
        await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        var code = (await Api.StatusAsync(system.A, created.TicketId)).ExchangeCode!;

        var first = await (await Api.ExchangeAsync(system.A, code, created.BrowserSecret, "retry-1")).Content.ReadFromJsonAsync<ExchangeResponse>();
        var retry = await (await Api.ExchangeAsync(system.B, code, created.BrowserSecret, "retry-1")).Content.ReadFromJsonAsync<ExchangeResponse>();
        // ES256 signatures are randomized: the retry signs the very same header and claims again (same jti, times, key).
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        foreach (var (a, b) in new[] { (first!.AccessToken, retry!.AccessToken), (first.IdToken, retry.IdToken) })
        {
            Assert.Equal(a.Split('.')[..2], b.Split('.')[..2]);
            Assert.NotEmpty(handler.ReadJsonWebToken(a).Id);
        }
        Assert.Equal(first.ExpiresAt, retry.ExpiresAt);

        await Api.ProblemAsync(await Api.ExchangeAsync(system.A, code, created.BrowserSecret), HttpStatusCode.Conflict, "ticket_already_exchanged");
        await Api.ProblemAsync(await Api.ExchangeAsync(system.A, code, created.BrowserSecret, "other-key"), HttpStatusCode.Conflict, "ticket_already_exchanged");
    }

    [Fact]
    public async Task Cancel_ends_the_ticket_and_the_waiting_browser_hears_it()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()));

        var waiting = system.A.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=2&timeout=30");
        var cancel = await system.B.PostAsJsonAsync($"/api/mini-program/tickets/{created.TicketId}/cancel", new { scanToken = scan.ScanToken });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var heard = await waiting.WithinAsync(TimeSpan.FromSeconds(10), "the long-poll hearing the cancel", () => Api.StatusNowAsync(system.B, created.TicketId));
        Assert.Equal("cancelled", heard!.Status);

        var confirm = await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        await Api.ProblemAsync(confirm, HttpStatusCode.Conflict, "invalid_transition");
    }

    [Fact]
    public async Task An_unconfirmed_ticket_expires_when_its_lifetime_runs_out_and_waiting_browsers_hear_it()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        // The stream's first event comes after front end B registered its watch with the ticket: from then on changes are pushed.
        await using var events = await SseReader.OpenAsync(system.B, $"/api/tickets/{created.TicketId}/events");
        Assert.Equal("pending", (await events.WaitForAsync(e => e.Type == "status")).Ticket.Status);
        var waiting = system.B.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=1&timeout=60");

        system.Time.Advance(TimeSpan.FromSeconds(121));
        // Pushed: well before the long-poll's own 60 s bound.
        var heard = await waiting.WithinAsync(TimeSpan.FromSeconds(30), "the long-poll hearing the expiry", () => Api.StatusNowAsync(system.A, created.TicketId));
        Assert.Equal(("expired", 2), (heard!.Status, heard.Version));
        Assert.Equal("expired", (await events.WaitForAsync(e => e.Type == "status" && e.Id == "2")).Ticket.Status);
        await events.Reading.WithinAsync(TimeSpan.FromSeconds(30), "the stream ending after a terminal state", () => Task.FromResult(events.Describe()));
        // A phone that scans the expired code is told it expired (410), not that it was used (409).
        var scan = await Api.ScanAsync(system.A, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()));
        await Api.ProblemAsync(scan, HttpStatusCode.Gone, "ticket_expired");
    }

    [Fact]
    public async Task A_long_poll_on_one_front_end_is_woken_by_a_confirm_on_the_other()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)));

        // Front end A watches the ticket (its stream has said "scanned"), and a browser is parked there.
        await using var events = await SseReader.OpenAsync(system.A, $"/api/tickets/{created.TicketId}/events");
        Assert.Equal("scanned", (await events.WaitForAsync(e => e.Type == "status")).Ticket.Status);
        var waiting = system.A.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=2&timeout=60");

        var confirm = await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        // Front end A asks the grain again only at the long-poll's 60 s bound: an answer well before it was pushed.
        var view = await waiting.WithinAsync(TimeSpan.FromSeconds(30), "the long-poll on A hearing the confirm on B", () => Api.StatusNowAsync(system.B, created.TicketId));
        Assert.Equal(("confirmed", 3), (view!.Status, view.Version));
        Assert.NotNull(view.ExchangeCode);
        Assert.Equal(view.ExchangeCode, (await events.WaitForAsync(e => e.Type == "status" && e.Id == "3")).Ticket.ExchangeCode);
    }

    [Fact]
    public async Task A_long_poll_returns_the_unchanged_status_at_its_bound()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var view = await system.A.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=1&timeout=0.2");
        Assert.Equal(("pending", 1), (view!.Status, view.Version));
    }

    [Fact]
    public async Task Server_sent_events_stream_every_change_once_until_a_terminal_state()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        await using var events = await SseReader.OpenAsync(system.B, $"/api/tickets/{created.TicketId}/events");

        await events.WaitForAsync(e => e.Type == "status" && e.Id == "1");
        var scan = await Api.ScanOkAsync(system.A, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)));
        await events.WaitForAsync(e => e.Type == "status" && e.Id == "2");
        await Api.ConfirmAsync(system.A, created.TicketId, scan.ScanToken);
        var confirmed = await events.WaitForAsync(e => e.Type == "status" && e.Id == "3");
        Assert.Equal(HttpStatusCode.OK, (await Api.ExchangeAsync(system.A, confirmed.Ticket.ExchangeCode!, created.BrowserSecret)).StatusCode);

        await events.Reading.WithinAsync(TimeSpan.FromSeconds(30), "the server closing the stream after consumed", () => Task.FromResult(events.Describe()));
        var statuses = events.StatusEvents.Select(e => (e.Id, e.Ticket.Status, e.Ticket.Version)).ToList();
        Assert.Equal([("1", "pending", 1), ("2", "scanned", 2), ("3", "confirmed", 3), ("4", "consumed", 4)], statuses);
        Assert.Null(events.StatusEvents[^1].Ticket.ExchangeCode); // spent: not repeated on the wire
        Assert.All(events.Events, e => Assert.Contains(e.Type, new[] { "status", "ping" }));
    }
}
