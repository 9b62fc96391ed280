using System.Net;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.PoolHosts;

/// <summary>A pool at its own host (ScanLogin:Oidc:PoolHostTemplate): the same endpoints at the root, the host as issuer, requests carrying Host headers.</summary>
[Collection(PoolHostCollection.Name)]
public sealed class PoolHostTests(PoolHostFixture fixture)
{
    private readonly PoolHostLogins _logins = new(fixture);

    [Fact]
    public async Task A_pool_host_serves_discovery_and_jwks_at_its_root_with_itself_as_issuer()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        using var client = PoolHostFixture.Client();
        var discovery = await PoolHostLogins.JsonAsync(await client.GetAsync(host + "/.well-known/openid-configuration"));
        Assert.Equal(host, discovery["issuer"]!.GetValue<string>());
        foreach (var (member, path) in new[] { ("jwks_uri", "/jwks"), ("authorization_endpoint", "/authorize"), ("token_endpoint", "/token"), ("userinfo_endpoint", "/userinfo") })
            Assert.Equal(host + path, discovery[member]!.GetValue<string>());
        // The same keys as the path form: one pool, one key set, two addresses.
        var rootKeys = await client.GetStringAsync(host + "/jwks");
        Assert.Equal(await fixture.System.A.GetStringAsync($"/oidc/{tenant.PoolId}/jwks"), rootKeys);
        Assert.Contains("\"kid\"", rootKeys);
    }

    [Fact]
    public async Task The_path_form_keeps_its_issuer_beside_the_pool_host()
    {
        var tenant = await fixture.CreateTenantAsync();
        var discovery = await PoolHostLogins.JsonAsync(await fixture.System.A.GetAsync($"/oidc/{tenant.PoolId}/.well-known/openid-configuration"));
        var pathIssuer = $"{SystemFixture.PublicBaseUrl}/oidc/{tenant.PoolId}";
        Assert.Equal(pathIssuer, discovery["issuer"]!.GetValue<string>());
        Assert.Equal(pathIssuer + "/authorize", discovery["authorization_endpoint"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_login_on_the_pool_host_gives_tokens_whose_issuer_is_that_host()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        using var browser = PoolHostFixture.Client();
        var (loginPage, callback) = await _logins.LoginAsync(browser, _logins.AuthorizeUrl(host, tenant, state: "s-42"));
        Assert.Equal(host, loginPage.GetLeftPart(UriPartial.Authority));
        Assert.StartsWith("/login/", loginPage.AbsolutePath);
        Assert.StartsWith(fixture.AppCallback + "?", callback.ToString());
        var query = PoolHostLogins.Query(callback);
        Assert.Equal(host, query["iss"]);
        Assert.Equal("s-42", query["state"]);

        var tokens = await PoolHostLogins.JsonAsync(await PoolHostLogins.RedeemAsync(host, tenant, query["code"], fixture.AppCallback, withSecret: true, withVerifier: true));
        var idToken = await PoolHostLogins.VerifyAsync(host, tokens["id_token"]!.GetValue<string>(), tenant.AppId);
        Assert.Equal(host, idToken.Issuer);
        using var userinfo = new HttpRequestMessage(HttpMethod.Get, host + "/userinfo") { Headers = { Authorization = new("Bearer", tokens["access_token"]!.GetValue<string>()) } };
        var claims = await PoolHostLogins.JsonAsync(await browser.SendAsync(userinfo));
        Assert.Equal(idToken.Subject, claims["sub"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hosts_that_are_no_pools_route_nowhere_and_a_pool_host_serves_no_other_pool()
    {
        var tenant = await fixture.CreateTenantAsync();
        var other = await fixture.CreateTenantAsync();
        using var client = PoolHostFixture.Client();
        // A template host naming no pool: the path form's own refusal (unknown pools are remembered, not looked up again).
        var unknown = await client.GetAsync(fixture.PoolHost("pool-nosuch00") + "/.well-known/openid-configuration");
        await Api.ProblemAsync(unknown, HttpStatusCode.NotFound, FailureCodes.UserPoolNotFound);
        // A host nobody configured or verified is no pool's: the root is not a discovery document there.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://unclaimed{PoolHostFixture.DomainSuffix}:{fixture.Port}/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://evil.example:{fixture.Port}/jwks")).StatusCode);
        // Another pool's path form on a pool's host is not found; the shared page paths still are.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(fixture.PoolHost(tenant.PoolId) + $"/oidc/{other.PoolId}/jwks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(fixture.PoolHost(tenant.PoolId) + "/oidc/assets/login.js")).StatusCode);
    }

    [Fact]
    public async Task A_pool_hosts_name_matches_in_any_case_and_with_a_trailing_dot_and_health_checks_pass_through_it()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        using var client = PoolHostFixture.Client();
        // DNS names are case-insensitive and may be written fully qualified: the Host header is the client's spelling.
        foreach (var name in new[] { $"{tenant.PoolId.ToUpperInvariant()}.LOGIN.TEST", $"{tenant.PoolId}.login.test." })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{fixture.Port}/.well-known/openid-configuration");
            request.Headers.Host = $"{name}:{fixture.Port}";
            var discovery = await PoolHostLogins.JsonAsync(await client.SendAsync(request));
            Assert.Equal(host, discovery["issuer"]!.GetValue<string>());
        }
        // A load balancer's health check by the pool's name reaches the front end's own, not a pool path.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(host + "/healthz")).StatusCode);
        Assert.Equal((await client.GetAsync($"http://127.0.0.1:{fixture.Port}/readyz")).StatusCode, (await client.GetAsync(host + "/readyz")).StatusCode);
        Assert.NotEqual(HttpStatusCode.NotFound, (await client.GetAsync(host + "/readyz")).StatusCode);
    }

    [Fact]
    public async Task The_login_cookie_is_host_only_and_never_opens_another_pools_login()
    {
        var tenant = await fixture.CreateTenantAsync();
        var other = await fixture.CreateTenantAsync();
        var cookies = new CookieContainer();
        using var browser = PoolHostFixture.Client(cookies);
        var host = fixture.PoolHost(tenant.PoolId);
        var started = await browser.GetAsync(_logins.AuthorizeUrl(host, tenant));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var setCookie = Assert.Single(started.Headers.GetValues("Set-Cookie"));
        Assert.DoesNotContain("domain=", setCookie, StringComparison.OrdinalIgnoreCase);
        var requestPath = started.Headers.Location!.ToString();
        Assert.Contains($"path={requestPath}", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Single(cookies.GetCookies(new Uri(host + requestPath)));
        Assert.Empty(cookies.GetCookies(new Uri(fixture.PoolHost(other.PoolId) + requestPath)));

        // Even carried there by hand, the cookie opens nothing on another pool's host: the login belongs to its pool.
        using var forged = new HttpRequestMessage(HttpMethod.Get, fixture.PoolHost(other.PoolId) + requestPath);
        forged.Headers.Add("Cookie", cookies.GetCookieHeader(new Uri(host + requestPath)));
        var refused = await PoolHostFixture.Client().SendAsync(forged);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }
}
