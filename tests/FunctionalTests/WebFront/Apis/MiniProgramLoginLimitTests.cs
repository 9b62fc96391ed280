using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests.MiniProgram;

/// <summary>The abuse limits of POST /api/mini-program/login: per address, per application, per WeChat user; 429 with Retry-After.</summary>
[Collection(ProductionCollection.Name)]
public sealed class MiniProgramLoginLimitTests(RateLimitFixture system)
{
    private async Task<HttpResponseMessage> LoginAsync(HttpClient http, Tenant tenant, string openId) =>
        await http.PostAsJsonAsync("/api/mini-program/login",
            new { poolId = tenant.PoolId, identitySource = Tenant.Source, appId = tenant.AppId, loginCode = await system.Emulator.LoginCodeAsync(openId) });

    private static async Task TooManyAsync(HttpResponseMessage response)
    {
        await Api.ProblemAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After {response.Headers.RetryAfter}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((int)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, body["retryAfter"]!.GetValue<int>());
    }

    [Fact]
    public async Task Mini_program_logins_are_limited_per_address_on_both_front_ends()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.MiniLoginIpLimitedApp);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(system.A, tenant, await system.Emulator.CreateUserAsync())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(system.B, tenant, await system.Emulator.CreateUserAsync())).StatusCode);
        await TooManyAsync(await LoginAsync(system.A, tenant, await system.Emulator.CreateUserAsync()));
    }

    [Fact]
    public async Task Mini_program_logins_are_limited_per_application()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.MiniLoginAppLimitedApp);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await LoginAsync(system.A, tenant, await system.Emulator.CreateUserAsync())).StatusCode);
        await TooManyAsync(await LoginAsync(system.B, tenant, await system.Emulator.CreateUserAsync()));
    }

    [Fact]
    public async Task Mini_program_logins_share_the_per_wechat_user_limit_with_scans_and_another_user_still_gets_in()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.PhoneLimitedApp);
        var openId = await system.Emulator.CreateUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(system.A, tenant, openId)).StatusCode);
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
        await TooManyAsync(await LoginAsync(system.A, tenant, openId));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(system.B, tenant, await system.Emulator.CreateUserAsync())).StatusCode);
    }
}

/// <summary>The limits of GET /api/tickets/{id}/open-in-wechat: per address at the front end, per application before WeChat is asked.</summary>
[Collection(ProductionCollection.Name)]
public sealed class OpenInWeChatLimitTests(RateLimitFixture system)
{
    [Fact]
    public async Task WeChat_links_are_limited_per_application_before_wechat_is_asked_and_per_address()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.WeChatLinkLimitedApp);
        var first = await Api.CreateTicketAsync(system.A, tenant);
        var second = await Api.CreateTicketAsync(system.A, tenant);
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync($"/api/tickets/{first.TicketId}/open-in-wechat")).StatusCode);
        var perApplication = await system.B.GetAsync($"/api/tickets/{second.TicketId}/open-in-wechat");
        Assert.Contains("application", (await Api.ProblemAsync(perApplication, HttpStatusCode.TooManyRequests, "rate_limited")).Detail);
        Assert.True(perApplication.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After {perApplication.Headers.RetryAfter}");
        // The ticket's own link costs WeChat nothing more, but the address still spends a permit.
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync($"/api/tickets/{first.TicketId}/open-in-wechat")).StatusCode);
        var perAddress = await system.A.GetAsync($"/api/tickets/{first.TicketId}/open-in-wechat");
        Assert.Contains("address", (await Api.ProblemAsync(perAddress, HttpStatusCode.TooManyRequests, "rate_limited")).Detail);
        Assert.True(perAddress.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After {perAddress.Headers.RetryAfter}");
    }
}
