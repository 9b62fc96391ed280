using System.Net;
using Xunit;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>
/// Issue 19 item 4: anonymous requests that cost the platform (or a tenant) more than they cost the sender are bounded,
/// on the production shape with the platform's default limits.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class AnonymousCostTests(RateLimitFixture system)
{
    [Fact]
    public async Task Junk_login_codes_aimed_at_one_ticket_stop_before_wechat_after_the_tickets_few_attempts()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var before = await system.Emulator.SessionRequestsAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
            statuses.Add((await Api.ScanAsync(i % 2 == 0 ? system.A : system.B, ticket.TicketId, "junk-code-" + Guid.NewGuid().ToString("N"))).StatusCode);
        var calls = await system.Emulator.SessionRequestsAsync() - before;
        // The platform default: five login codes per ticket reach WeChat, then one a minute.
        Assert.True(calls <= 5, $"{calls} jscode2session calls for 20 junk scans; answers: {string.Join(", ", statuses)}");
        Assert.Equal(15, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal("pending", (await Api.StatusAsync(system.A, ticket.TicketId)).Status);

        // A real phone gets through once a permit is back, and the ticket is scanned.
        system.LimiterTime.Advance(TimeSpan.FromSeconds(12.1));
        var openId = await system.Emulator.CreateUserAsync();
        var scanned = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
        Assert.Equal("scanned", scanned.Ticket.Status);
    }
}
