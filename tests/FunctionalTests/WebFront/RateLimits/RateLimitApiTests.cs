using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;
using static ScanLogin.FunctionalTests.RateLimitAnswers;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// The abuse limits of the APIs besides the native ticket API: the Authing SDK endpoints, binding, the OpenID Connect
/// authorize and token endpoints. Each refusal is 429 with Retry-After; each rule here is an application override.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class RateLimitApiTests(RateLimitFixture system)
{
    private static HttpRequestMessage Gene(Tenant tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/qrcode/gene") { Content = JsonContent.Create(new { scene = "WXAPP_AUTH" }) };
        request.Headers.Add("x-authing-app-id", tenant.AppId);
        request.Headers.Authorization = Api.AppCredentials(tenant.AppId, tenant.AppSecret);
        return request;
    }

    [Fact]
    public async Task Authing_gene_counts_tickets_per_address_and_application_on_both_front_ends()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.AuthingLimitedApp);
        foreach (var front in new[] { system.A, system.B })
        {
            var created = JsonNode.Parse(await (await front.SendAsync(Gene(tenant))).Content.ReadAsStringAsync())!;
            Assert.Equal(200, created["code"]!.GetValue<int>());
        }
        await TooManyAsync(await system.A.SendAsync(Gene(tenant)), "rate_limited", TooManyTicketsFromAddress);
        // The GenAuth path of the same endpoint shares the bucket.
        var other = new HttpRequestMessage(HttpMethod.Post, "/api/qrcode/gene") { Content = JsonContent.Create(new { scene = "WXAPP_AUTH" }) };
        other.Headers.Add("x-authing-app-id", tenant.AppId);
        other.Headers.Authorization = Api.AppCredentials(tenant.AppId, tenant.AppSecret);
        await TooManyAsync(await system.B.SendAsync(other), "rate_limited", TooManyTicketsFromAddress);
    }

    [Fact]
    public async Task Status_reads_follow_the_ticket_applications_rule_on_the_authing_check_and_the_native_read()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.SlowPollApp);
        var created = JsonNode.Parse(await (await system.A.SendAsync(Gene(tenant))).Content.ReadAsStringAsync())!;
        var random = created["data"]!["random"]!.GetValue<string>();
        HttpRequestMessage Check()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v2/qrcode/check?random={random}");
            request.Headers.Add("x-authing-app-id", tenant.AppId);
            return request;
        }
        // The application's rule, not the platform's ten: three reads, counted together over both APIs and front ends.
        Assert.Equal(200, JsonNode.Parse(await (await system.A.SendAsync(Check())).Content.ReadAsStringAsync())!["code"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await system.B.GetAsync($"/api/tickets/{random[..22]}")).StatusCode);
        Assert.Equal(200, JsonNode.Parse(await (await system.B.SendAsync(Check())).Content.ReadAsStringAsync())!["code"]!.GetValue<int>());
        var body = await TooManyAsync(await system.A.SendAsync(Check()), "slow_down", "Polling too fast: ask at most once every 2 s.");
        Assert.Equal(2, body["interval"]!.GetValue<int>());
        await TooManyAsync(await system.B.GetAsync($"/api/tickets/{random[..22]}"), "slow_down", "Polling too fast: ask at most once every 2 s.");
        system.LimiterTime.Advance(TimeSpan.FromSeconds(2.01));
        Assert.Equal(200, JsonNode.Parse(await (await system.B.SendAsync(Check())).Content.ReadAsStringAsync())!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Binding_attempts_are_counted_per_address_before_any_password_is_checked()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.BindingLimitedApp);
        HttpRequestMessage Bind(TicketCreated ticket)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{ticket.TicketId}/binding/existing")
                { Content = JsonContent.Create(new { account = "someone", password = "a guess", bindingCode = "123456" }) };
            request.Headers.Add("X-Browser-Secret", ticket.BrowserSecret);
            return request;
        }
        // Tickets not waiting for binding: the attempt is counted, then refused by the ticket.
        var first = await Api.CreateTicketAsync(system.A, tenant);
        var second = await Api.CreateTicketAsync(system.B, tenant);
        await Api.ProblemAsync(await system.A.SendAsync(Bind(first)), HttpStatusCode.Conflict, "invalid_transition");
        await Api.ProblemAsync(await system.B.SendAsync(Bind(second)), HttpStatusCode.Conflict, "invalid_transition");
        // A third attempt from the address, on any ticket of the application and either front end, is refused first.
        await TooManyAsync(await system.A.SendAsync(Bind(second)), "rate_limited", "Too many binding attempts from this address.");
        var fresh = await Api.CreateTicketAsync(system.A, tenant);
        var newAccount = new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{fresh.TicketId}/binding/new") { Content = JsonContent.Create(new { username = "newbie", bindingCode = "123456" }) };
        newAccount.Headers.Add("X-Browser-Secret", fresh.BrowserSecret);
        await TooManyAsync(await system.B.SendAsync(newAccount), "rate_limited", "Too many binding attempts from this address.");
    }

    [Fact]
    public async Task Token_requests_are_counted_per_address_and_client_and_refused_in_both_shapes()
    {
        var tenant = await system.CreateTenantAsync(RateLimitFixture.TokenLimitedApp);
        HttpRequestMessage Token() => new(HttpMethod.Post, $"/oidc/{tenant.PoolId}/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = "nothing.here", ["client_id"] = tenant.AppId, ["client_secret"] = tenant.AppSecret,
            }),
        };
        Assert.Equal(HttpStatusCode.BadRequest, (await system.A.SendAsync(Token())).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await system.B.SendAsync(Token())).StatusCode);
        var refused = await system.A.SendAsync(Token());
        var body = await TooManyAsync(refused, "rate_limited", "Too many token requests from this address for this client.");
        // OAuth clients read error and error_description (RFC 6749 5.2) from the same body.
        Assert.Equal("rate_limited", body["error"]!.GetValue<string>());
        Assert.Equal(body["detail"]!.GetValue<string>(), body["error_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Authorize_opens_tickets_under_the_creation_limits_and_refuses_on_a_page()
    {
        const string callback = "https://rl-site.example/callback";
        var tenant = await system.CreateTenantAsync(RateLimitFixture.AuthorizeLimitedApp, callbackUrls: [callback]);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = system.A.BaseAddress };
        var url = $"/oidc/{tenant.PoolId}/authorize?client_id={tenant.AppId}&redirect_uri={Uri.EscapeDataString(callback)}&response_type=code&scope=openid&state=s1";
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(url)).StatusCode);
        var refused = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.StartsWith("text/html", refused.Content.Headers.ContentType?.ToString());
        // Not sent back to the client's redirect URI: its site would only start another login.
        Assert.Null(refused.Headers.Location);
    }
}
