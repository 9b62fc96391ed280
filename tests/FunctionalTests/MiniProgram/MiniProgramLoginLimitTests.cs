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
