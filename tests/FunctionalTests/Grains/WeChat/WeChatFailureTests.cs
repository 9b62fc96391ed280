using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Each way WeChat can fail, produced by the emulator, and the clear answer the phone (and the PC, through the ticket) gets.</summary>
[Collection(SystemCollection.Name)]
public sealed class WeChatFailureTests(SystemFixture system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.Emulator.ClearFaultsAsync();

    public Task DisposeAsync() => system.Emulator.ClearFaultsAsync();

    [Fact]
    public async Task An_invalid_code_and_a_reused_code_are_told_apart()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        await Api.ProblemAsync(await Api.ScanAsync(system.B, ticket.TicketId, "not-a-code"), HttpStatusCode.BadRequest, "wechat_code_invalid");

        var code = await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null));
        await Api.ScanOkAsync(system.B, ticket.TicketId, code);
        var other = await Api.CreateTicketAsync(system.A, tenant);
        await Api.ProblemAsync(await Api.ScanAsync(system.B, other.TicketId, code), HttpStatusCode.Conflict, "wechat_code_used");
        Assert.Equal("pending", (await Api.StatusAsync(system.A, other.TicketId)).Status);
    }

    [Theory]
    [InlineData(45011, HttpStatusCode.TooManyRequests, "wechat_rate_limited")]
    [InlineData(40226, HttpStatusCode.Forbidden, "wechat_user_blocked")]
    public async Task Rate_limits_and_high_risk_users_get_their_own_answer_and_the_ticket_stays_open(int errCode, HttpStatusCode status, string code)
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var openId = await system.Emulator.CreateUserAsync(phone: null);
        await system.Emulator.FaultAsync("jscode2session", errCode);
        await Api.ProblemAsync(await Api.ScanAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId)), status, code);
        Assert.Equal("pending", (await Api.StatusAsync(system.A, ticket.TicketId)).Status);
        // Nothing was consumed: the next try works.
        await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
    }

    [Fact]
    public async Task A_busy_wechat_is_retried_with_a_bounded_backoff_then_reported_as_unavailable()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: null);

        // Busy twice, then well: the scan succeeds without the phone seeing anything.
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        await system.Emulator.FaultAsync("jscode2session", -1, times: 2);
        await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));

        // Busy three times: the retries are used up, the phone is told to try again.
        var second = await Api.CreateTicketAsync(system.A, tenant);
        await system.Emulator.FaultAsync("jscode2session", -1, times: 3);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Api.ProblemAsync(await Api.ScanAsync(system.B, second.TicketId, await system.Emulator.LoginCodeAsync(openId)),
            HttpStatusCode.ServiceUnavailable, "wechat_unavailable");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), "The backoff is bounded.");
        await Api.ScanOkAsync(system.B, second.TicketId, await system.Emulator.LoginCodeAsync(openId));
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_once_and_the_phone_number_call_retried()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000099");
        // A first phone-number call makes the cluster hold a token; then WeChat expires it.
        await Logins.LoginAsync(system, tenant, openId, sharePhone: true);
        await system.Emulator.ExpireTokensAsync();

        var user = await Logins.LoginAsync(system, tenant, openId, sharePhone: true);
        Assert.Equal("+8613700000099", user.Phone);
    }

    [Fact]
    public async Task A_failing_phone_number_call_leaves_the_ticket_scanned_so_the_phone_can_confirm_again()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000098");
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
        await system.Emulator.FaultAsync("getuserphonenumber", 45011);
        await Api.ProblemAsync(await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken, await system.Emulator.PhoneCodeAsync(openId)),
            HttpStatusCode.TooManyRequests, "wechat_rate_limited");
        Assert.Equal("scanned", (await Api.StatusAsync(system.A, ticket.TicketId)).Status);
        var retried = await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken, await system.Emulator.PhoneCodeAsync(openId));
        Assert.Equal("confirmed", (await retried.Content.ReadFromJsonAsync<TicketView>())!.Status);
    }
}
