using System.Diagnostics;
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

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/exchange") { Content = JsonContent.Create(new { code }) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{tenant.AppId}:{tenant.AppSecret}")));
        Assert.Equal(HttpStatusCode.OK, (await system.B.SendAsync(request)).StatusCode);
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
        var heard = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("cancelled", heard!.Status);

        var confirm = await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        await Api.ProblemAsync(confirm, HttpStatusCode.Conflict, "invalid_transition");
    }

    [Fact]
    public async Task An_unconfirmed_ticket_expires_when_its_lifetime_runs_out()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var waiting = system.B.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=1&timeout=30");
        await Task.Delay(50); // let the front end register its watch before the clock jumps

        system.Time.Advance(TimeSpan.FromSeconds(121));
        var heard = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("expired", heard!.Status);
        var scan = await Api.ScanAsync(system.A, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()));
        await Api.ProblemAsync(scan, HttpStatusCode.Conflict, "invalid_transition");
    }

    [Fact]
    public async Task A_long_poll_on_one_front_end_wakes_within_100_ms_of_a_confirm_on_the_other()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)));

        var clock = Stopwatch.StartNew();
        TimeSpan heardAt = default;
        var waiting = Task.Run(async () =>
        {
            var view = await system.A.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=2&timeout=30");
            heardAt = clock.Elapsed;
            return view;
        });
        await Task.Delay(200); // the browser is now parked on front end A
        Assert.False(waiting.IsCompleted);

        var confirm = await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        var confirmedAt = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var view = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("confirmed", view!.Status);
        Assert.True(heardAt - confirmedAt < TimeSpan.FromMilliseconds(100), $"The browser heard {(heardAt - confirmedAt).TotalMilliseconds:F0} ms after the confirm answered.");
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
    public async Task Server_sent_events_stream_every_change_until_a_terminal_state()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        using var stream = await system.B.GetStreamAsync($"/api/tickets/{created.TicketId}/events");
        using var reader = new StreamReader(stream);
        var events = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal) && !events.Contains(line)) lock (events) events.Add(line);
        });

        await Eventually(() => events.Count >= 1);
        var scan = await Api.ScanOkAsync(system.A, created.TicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)));
        await Eventually(() => events.Any(e => e.Contains("\"scanned\"")));
        await Api.ConfirmAsync(system.A, created.TicketId, scan.ScanToken);
        await Eventually(() => events.Any(e => e.Contains("\"confirmed\"")));
        var code = (await Api.StatusAsync(system.A, created.TicketId)).ExchangeCode!;
        await Api.ExchangeAsync(system.A, code, created.BrowserSecret);

        await reading.WaitAsync(TimeSpan.FromSeconds(10)); // the server closes the stream after "consumed"
        var statuses = events.Select(e => e.Contains("\"pending\"") ? "pending" : e.Contains("\"scanned\"") ? "scanned"
            : e.Contains("\"confirmed\"") ? "confirmed" : e.Contains("\"consumed\"") ? "consumed" : "?").ToList();
        Assert.Equal(["pending", "scanned", "confirmed", "consumed"], statuses);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition(), "The condition did not become true within 5 s.");
    }
}
