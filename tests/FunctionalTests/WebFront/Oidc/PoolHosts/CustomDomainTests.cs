using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.PoolHosts;

/// <summary>Custom domains through the admin API: claimed, proven by an HTTP challenge the domain serves, unique across pools, the issuer following them.</summary>
[Collection(PoolHostCollection.Name)]
public sealed class CustomDomainTests(PoolHostFixture fixture)
{
    private HttpClient Admin() => fixture.System.Operator(fixture.System.PlatformKey);

    private static string NewDomain() => $"login-{Guid.NewGuid():N}"[..18] + PoolHostFixture.DomainSuffix;

    private string OnDomain(string domain, string path) => $"http://{domain}:{fixture.Port}{path}";

    private async Task<JsonObject> ClaimAsync(string poolId, string domain, HttpStatusCode status = HttpStatusCode.Created)
    {
        using var admin = Admin();
        return await PoolHostLogins.JsonAsync(await admin.PostAsJsonAsync($"/admin/v1/pools/{poolId}/domains", new { domain }), status);
    }

    private async Task<HttpResponseMessage> VerifyAsync(string poolId, string domain)
    {
        using var admin = Admin();
        return await admin.PostAsync($"/admin/v1/pools/{poolId}/domains/{domain}/verify", null);
    }

    [Fact]
    public async Task A_custom_domain_serves_the_pool_only_once_it_served_its_challenge_and_the_issuer_follows_it()
    {
        var tenant = await fixture.CreateTenantAsync();
        var domain = NewDomain();
        var claim = await ClaimAsync(tenant.PoolId, domain);
        Assert.False(claim["verified"]!.GetValue<bool>());
        var token = claim["challengeToken"]!.GetValue<string>();
        Assert.Equal($"http://{domain}/.well-known/scanlogin-challenge/{token}", claim["challengeUrl"]!.GetValue<string>());
        using var client = PoolHostFixture.Client();
        var discoveryUrl = OnDomain(domain, "/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(discoveryUrl)).StatusCode);

        // The domain does not serve the token yet: refused, and still not serving the pool.
        await Api.ProblemAsync(await VerifyAsync(tenant.PoolId, domain), HttpStatusCode.UnprocessableEntity, DomainFailureCodes.ChallengeFailed);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(discoveryUrl)).StatusCode);

        fixture.ServedTokens[token] = true;
        var verified = await PoolHostLogins.JsonAsync(await VerifyAsync(tenant.PoolId, domain));
        Assert.True(verified["verified"]!.GetValue<bool>());
        var discovery = await PoolHostLogins.JsonAsync(await client.GetAsync(discoveryUrl));
        // The template's scheme, the domain, no port: where the operator's proxy serves it.
        Assert.Equal($"http://{domain}", discovery["issuer"]!.GetValue<string>());
        Assert.Equal($"http://{domain}/token", discovery["token_endpoint"]!.GetValue<string>());

        using var admin = Admin();
        var listed = JsonNode.Parse(await admin.GetStringAsync($"/admin/v1/pools/{tenant.PoolId}/domains"))!.AsArray();
        Assert.Equal(domain, Assert.Single(listed)!["domain"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_login_through_a_verified_domain_gives_tokens_whose_issuer_is_the_domain()
    {
        var tenant = await fixture.CreateTenantAsync();
        var domain = NewDomain();
        fixture.ServedTokens[(await ClaimAsync(tenant.PoolId, domain))["challengeToken"]!.GetValue<string>()] = true;
        (await VerifyAsync(tenant.PoolId, domain)).EnsureSuccessStatusCode();
        var logins = new PoolHostLogins(fixture);
        using var browser = PoolHostFixture.Client();
        var (loginPage, callback) = await logins.LoginAsync(browser, logins.AuthorizeUrl(OnDomain(domain, ""), tenant));
        Assert.Equal(domain, loginPage.Host);
        var query = PoolHostLogins.Query(callback);
        Assert.Equal($"http://{domain}", query["iss"]);
        var tokens = await PoolHostLogins.JsonAsync(await PoolHostLogins.RedeemAsync(OnDomain(domain, ""), tenant, query["code"], fixture.AppCallback, withSecret: true,
            withVerifier: true));
        var idToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens["id_token"]!.GetValue<string>());
        Assert.Equal($"http://{domain}", idToken.Issuer);
    }

    [Fact]
    public async Task A_domain_verified_by_one_pool_is_refused_to_every_other()
    {
        var first = await fixture.CreateTenantAsync();
        var second = await fixture.CreateTenantAsync();
        var third = await fixture.CreateTenantAsync();
        var domain = NewDomain();
        // Pending claims do not block (nobody squats a name by claiming it first): both pools may try.
        var firstToken = (await ClaimAsync(first.PoolId, domain))["challengeToken"]!.GetValue<string>();
        var secondToken = (await ClaimAsync(second.PoolId, domain))["challengeToken"]!.GetValue<string>();
        Assert.NotEqual(firstToken, secondToken);
        fixture.ServedTokens[firstToken] = true;
        fixture.ServedTokens[secondToken] = true;
        (await VerifyAsync(first.PoolId, domain)).EnsureSuccessStatusCode();

        // The pool that proved control first holds it: the other's pending claim is gone, a new claim is refused.
        await Api.ProblemAsync(await VerifyAsync(second.PoolId, domain), HttpStatusCode.NotFound, "not_found");
        using var admin = Admin();
        var claim = await admin.PostAsJsonAsync($"/admin/v1/pools/{third.PoolId}/domains", new { domain = domain.ToUpperInvariant() + "." });
        await Api.ProblemAsync(claim, HttpStatusCode.Conflict, DomainFailureCodes.Taken);
        Assert.Empty(JsonNode.Parse(await admin.GetStringAsync($"/admin/v1/pools/{second.PoolId}/domains"))!.AsArray());
        using var client = PoolHostFixture.Client();
        var discovery = await PoolHostLogins.JsonAsync(await client.GetAsync(OnDomain(domain, "/.well-known/openid-configuration")));
        Assert.Equal($"http://{domain}/jwks", discovery["jwks_uri"]!.GetValue<string>());
        Assert.Equal(await fixture.System.A.GetStringAsync($"/oidc/{first.PoolId}/jwks"), await client.GetStringAsync(OnDomain(domain, "/jwks")));
    }

    [Fact]
    public async Task A_released_domain_stops_serving_the_pool_and_may_be_claimed_again()
    {
        var tenant = await fixture.CreateTenantAsync();
        var other = await fixture.CreateTenantAsync();
        var domain = NewDomain();
        fixture.ServedTokens[(await ClaimAsync(tenant.PoolId, domain))["challengeToken"]!.GetValue<string>()] = true;
        (await VerifyAsync(tenant.PoolId, domain)).EnsureSuccessStatusCode();
        using var admin = Admin();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/v1/pools/{tenant.PoolId}/domains/{domain}")).StatusCode);
        using var client = PoolHostFixture.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(OnDomain(domain, "/jwks"))).StatusCode);
        await ClaimAsync(other.PoolId, domain);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/admin/v1/pools/{tenant.PoolId}/domains/{domain}")).StatusCode);
    }

    [Fact]
    public async Task A_deleted_pools_domains_are_released_so_no_later_pool_under_its_id_inherits_them()
    {
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.System.Grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "Short-lived"));
        var domain = NewDomain();
        fixture.ServedTokens[(await ClaimAsync(poolId, domain))["challengeToken"]!.GetValue<string>()] = true;
        (await VerifyAsync(poolId, domain)).EnsureSuccessStatusCode();
        using var admin = Admin();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/v1/pools/{poolId}")).StatusCode);

        Assert.Empty(await fixture.System.Grains.GetGrain<IDomainRegistryGrain>(0).ListAsync(poolId));
        Assert.DoesNotContain(domain, (await fixture.System.Grains.GetGrain<IDomainRegistryGrain>(0).GetVerifiedAsync()).PoolByDomain.Keys);
        // Free for a pool that proves it.
        var next = await fixture.CreateTenantAsync();
        fixture.ServedTokens[(await ClaimAsync(next.PoolId, domain))["challengeToken"]!.GetValue<string>()] = true;
        (await VerifyAsync(next.PoolId, domain)).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("shop.example:8080")]
    [InlineData("login.scanlogin.test")]
    [InlineData("pool-abcdef.login.test")]
    [InlineData("https://shop.example")]
    public async Task Names_that_are_no_claimable_host_are_refused(string domain)
    {
        var tenant = await fixture.CreateTenantAsync();
        using var admin = Admin();
        var refused = await admin.PostAsJsonAsync($"/admin/v1/pools/{tenant.PoolId}/domains", new { domain });
        await Api.ProblemAsync(refused, HttpStatusCode.BadRequest, ApiProblemsCodes.ValidationFailed);
    }

    [Fact]
    public async Task A_pool_key_manages_only_its_own_pools_domains()
    {
        var tenant = await fixture.CreateTenantAsync();
        var other = await fixture.CreateTenantAsync();
        using var platform = Admin();
        var created = await PoolHostLogins.JsonAsync(await platform.PostAsJsonAsync($"/admin/v1/pools/{tenant.PoolId}/api-keys", new { name = "domains" }),
            HttpStatusCode.Created);
        using var poolAdmin = fixture.System.Operator(created["key"]!.GetValue<string>());
        (await poolAdmin.PostAsJsonAsync($"/admin/v1/pools/{tenant.PoolId}/domains", new { domain = NewDomain() })).EnsureSuccessStatusCode();
        var foreign = await poolAdmin.PostAsJsonAsync($"/admin/v1/pools/{other.PoolId}/domains", new { domain = NewDomain() });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await poolAdmin.GetAsync($"/admin/v1/pools/{other.PoolId}/domains")).StatusCode);
    }
}

internal static class ApiProblemsCodes
{
    public const string ValidationFailed = ScanLogin.WebFront.Apis.ApiProblems.ValidationFailed;
}
