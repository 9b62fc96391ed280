using System.Net;
using System.Net.Http.Json;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.RateLimitAnswers;

namespace ScanLogin.FunctionalTests;

/// <summary>Abuse limits over HTTP: 429 with Retry-After in the error shape, counted across both front ends.</summary>
[Collection(ProductionCollection.Name)]
public sealed class RateLimitTests(RateLimitFixture system)
{
    private static Task<HttpResponseMessage> CreateAsync(HttpClient http, Tenant tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = tenant.AppId, identitySource = Tenant.Source }) };
        request.Headers.Authorization = Api.AppCredentials(tenant.AppId, tenant.AppSecret);
        return http.SendAsync(request);
    }

    /// <summary>A client of <paramref name="front"/> that sends <paramref name="key"/> as its Bearer key.</summary>
    private static HttpClient Keyed(HttpClient front, string key)
    {
        var client = new HttpClient { BaseAddress = front.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private static string WrongKey() => "slp_wrong_" + Guid.NewGuid().ToString("N");

    private const string TooManyForApplication = "This application creates too many tickets; try again shortly.";
    private const string TooManyFailedAuthentications = "Too many failed authentications from this address.";

    [Fact]
    public async Task Ticket_creation_per_address_is_limited_per_application_and_shared_by_the_front_ends()
    {
        var limited = await system.CreateTenantAsync(RateLimitFixture.IpLimitedApp);
        var other = await system.CreateTenantAsync();
        // Three through alternating front ends: one bucket in the cluster, not one per process.
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(system.A, limited)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(system.B, limited)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(system.A, limited)).StatusCode);
        await TooManyAsync(await CreateAsync(system.B, limited), "rate_limited", TooManyTicketsFromAddress);
        await TooManyAsync(await CreateAsync(system.A, limited), "rate_limited", TooManyTicketsFromAddress);
        // Another application (platform defaults) from the same address is unaffected.
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(system.B, other)).StatusCode);
    }

    [Fact]
    public async Task Retry_after_is_the_real_wait_for_the_next_permit_rounded_up_to_whole_seconds()
    {
        var paced = await system.CreateTenantAsync(RateLimitFixture.PacedApp);
        var interval = TimeSpan.FromTicks(TimeSpan.TicksPerMinute / 7); // 8.571 s between permits
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(system.A, paced)).StatusCode);

        // The next permit is a whole interval away on the limiters' clock: 8.571 s, told as 9 (not 8, not "at least 1").
        var expected = (int)Math.Ceiling(interval.TotalSeconds);
        Assert.Equal(9, expected);
        Assert.Equal(expected, await RetryAfterAsync(await CreateAsync(system.B, paced)));
        Assert.Equal(expected, await RetryAfterAsync(await CreateAsync(system.A, paced)));

        // 2 s later the wait is 6.571 s: 7, from either front end (each remembers the refusal until the permit is due).
        system.LimiterTime.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(7, await RetryAfterAsync(await CreateAsync(system.B, paced)));
        Assert.Equal(7, await RetryAfterAsync(await CreateAsync(system.A, paced)));

        // Once that wait has passed, the next ticket is created.
        system.LimiterTime.Advance(interval - TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(system.B, paced)).StatusCode);
    }

    /// <summary>Retry-After of a 429, which the body's retryAfter must equal.</summary>
    private static async Task<int> RetryAfterAsync(HttpResponseMessage response) =>
        (await TooManyAsync(response, "rate_limited", TooManyTicketsFromAddress))["retryAfter"]!.GetValue<int>();

    [Fact]
    public async Task A_pool_override_limits_each_of_its_applications()
    {
        var first = await system.CreateTenantAsync(poolId: RateLimitFixture.PoolLimitedPool);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Created, (await CreateAsync(i % 2 == 0 ? system.A : system.B, first)).StatusCode);
        await TooManyAsync(await CreateAsync(system.A, first), "rate_limited", TooManyForApplication);
    }

    [Fact]
    public async Task A_poller_faster_than_allowed_hears_slow_down_with_the_interval_and_is_never_locked_out()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        // Platform default: a burst of 10, then one a second.
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await (i % 2 == 0 ? system.A : system.B).GetAsync($"/api/tickets/{ticket.TicketId}")).StatusCode);
        var refused = await system.B.GetAsync($"/api/tickets/{ticket.TicketId}/wait?version=0&timeout=0");
        var body = await TooManyAsync(refused, "slow_down", "Polling too fast: ask at most once every 1 s.");
        Assert.Equal(1, body["interval"]!.GetValue<int>());
        // Hammering on does not push the poller further back: one interval later it is served again.
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.TooManyRequests, (await system.A.GetAsync($"/api/tickets/{ticket.TicketId}")).StatusCode);
        system.LimiterTime.Advance(TimeSpan.FromSeconds(1.01));
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync($"/api/tickets/{ticket.TicketId}")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await system.A.GetAsync($"/api/tickets/{ticket.TicketId}")).StatusCode);
        // Other tickets are counted apart.
        var second = await Api.CreateTicketAsync(system.B, tenant);
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync($"/api/tickets/{second.TicketId}")).StatusCode);
    }

    [Fact]
    public async Task Phone_attempts_are_limited_per_wechat_user_and_a_refused_scan_changes_nothing()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.PhoneLimitedApp);
        var openId = await system.Emulator.CreateUserAsync();
        var first = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.A, first.TicketId, await system.Emulator.LoginCodeAsync(openId));
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.B, first.TicketId, scan.ScanToken)).StatusCode);
        var second = await Api.CreateTicketAsync(system.A, tenant);
        var refused = await Api.ScanAsync(system.B, second.TicketId, await system.Emulator.LoginCodeAsync(openId));
        await TooManyAsync(refused, "rate_limited", null);
        Assert.Equal("pending", (await Api.StatusAsync(system.A, second.TicketId)).Status);
        // Another WeChat user of the same application scans the same ticket fine.
        var someoneElse = await system.Emulator.CreateUserAsync();
        await Api.ScanOkAsync(system.A, second.TicketId, await system.Emulator.LoginCodeAsync(someoneElse));
    }

    [Fact]
    public async Task Admin_authentication_failures_per_address_are_limited_and_successes_are_free()
    {
        using var good = Keyed(system.A, system.PlatformKey);
        for (var i = 0; i < 15; i++) Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/admin/v1/pools")).StatusCode);

        using var bad = Keyed(system.B, WrongKey());
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/admin/v1/pools")).StatusCode);
        await TooManyAsync(await bad.GetAsync("/admin/v1/pools"), "rate_limited", TooManyFailedAuthentications);
        // The address is refused before its key is looked at, on the other front end too ...
        await TooManyAsync(await good.GetAsync("/admin/v1/pools"), "rate_limited", TooManyFailedAuthentications);
        // ... until a permit has refilled (six a minute).
        system.LimiterTime.Advance(TimeSpan.FromSeconds(10.1));
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/admin/v1/pools")).StatusCode);
    }

    [Fact]
    public async Task Failed_keys_on_the_metrics_and_the_dashboard_count_toward_the_same_lockout_as_the_admin_api()
    {
        system.LimiterTime.Advance(TimeSpan.FromHours(1)); // a full bucket: ten failures
        using var bad = Keyed(system.A, WrongKey());
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync(i % 2 == 0 ? "/metrics" : "/dashboard/")).StatusCode);
        using var good = Keyed(system.B, system.PlatformKey);
        await TooManyAsync(await good.GetAsync("/admin/v1/pools"), "rate_limited", TooManyFailedAuthentications);
        await TooManyAsync(await bad.GetAsync("/metrics"), "rate_limited", TooManyFailedAuthentications);
        system.LimiterTime.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/admin/v1/pools")).StatusCode);
    }

    [Fact]
    public async Task Refusals_of_the_public_apis_do_not_count_toward_the_operators_lockout()
    {
        system.LimiterTime.Advance(TimeSpan.FromHours(1)); // a full bucket: ten failures
        var tenant = await system.CreateTenantAsync();
        // More 401s than the admin failures allowed, from the address, on an API that is not the operators'.
        for (var i = 0; i < 12; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{tenant.PoolId}/userinfo");
            request.Headers.Authorization = new("Bearer", "not-a-token");
            Assert.Equal(HttpStatusCode.Unauthorized, (await (i % 2 == 0 ? system.A : system.B).SendAsync(request)).StatusCode);
        }
        using var good = Keyed(system.A, system.PlatformKey);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/admin/v1/pools")).StatusCode);
    }

    [Fact]
    public async Task Phone_requests_per_address_are_limited_whatever_the_ticket_and_the_wechat_user()
    {
        system.LimiterTime.Advance(TimeSpan.FromHours(1)); // a full bucket: 120 at once (platform default)
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        HttpResponseMessage? refused = null;
        var asked = 0;
        var answers = new HashSet<int>();
        // Confirms with a scan token nobody was given: the ticket refuses each, WeChat is never asked.
        for (; asked < 200 && refused is null; asked++)
        {
            var response = await (asked % 2 == 0 ? system.A : system.B).PostAsJsonAsync($"/api/mini-program/tickets/{ticket.TicketId}/confirm",
                new { scanToken = Secrets.NewSecret() });
            if (response.StatusCode == HttpStatusCode.TooManyRequests
                && (await response.Content.ReadAsStringAsync()).Contains("from this address", StringComparison.Ordinal)) refused = response;
            else answers.Add((int)response.StatusCode);
        }
        Assert.True(refused is not null, $"never refused per address in {asked} requests; answers {string.Join(",", answers)}");
        Assert.InRange(asked, 100, 130);
        await TooManyAsync(refused, "rate_limited", "Too many mini-program requests from this address.");
        system.LimiterTime.Advance(TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Headers_and_bodies_are_bounded()
    {
        var many = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        for (var i = 0; i < 80; i++) many.Headers.Add($"X-Filler-{i}", "x");
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await system.A.SendAsync(many)).StatusCode);

        var large = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        large.Headers.Add("X-Large", new string('x', 20_000));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await system.A.SendAsync(large)).StatusCode);

        // An authenticated caller, so that the body is what gets refused.
        var tenant = await system.CreateTenantAsync();
        var body = new HttpRequestMessage(HttpMethod.Post, "/api/tickets")
        {
            Content = new StringContent("{\"appId\":\"" + new string('a', 20_000) + "\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        body.Headers.Authorization = Api.AppCredentials(tenant.AppId, tenant.AppSecret);
        await Api.ProblemAsync(await system.A.SendAsync(body), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }
}
