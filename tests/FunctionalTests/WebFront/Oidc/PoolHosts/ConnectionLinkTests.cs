using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Xunit;

namespace ScanLogin.FunctionalTests.PoolHosts;

/// <summary>
/// An identity source's direct login link, /connections/{identifier}: the hosted QR page, then the source's callback URL with a
/// one-use code the site's backend redeems with its application secret; never a redirect anywhere unregistered.
/// </summary>
[Collection(PoolHostCollection.Name)]
public sealed class ConnectionLinkTests(PoolHostFixture fixture)
{
    private readonly PoolHostLogins _logins = new(fixture);

    private static string Link(string baseUrl, Tenant tenant, Dictionary<string, string?>? extra = null, string source = Tenant.Source)
    {
        var query = new Dictionary<string, string?> { ["app_id"] = tenant.AppId };
        foreach (var (key, value) in extra ?? []) query[key] = value;
        return QueryHelpers.AddQueryString($"{baseUrl}/connections/{source}", query);
    }

    [Fact]
    public async Task The_link_lands_on_the_sources_callback_with_a_code_the_backend_redeems_with_its_secret()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        using var browser = PoolHostFixture.Client();
        var (loginPage, callback) = await _logins.LoginAsync(browser, Link(host, tenant, new() { ["state"] = "cart-7" }));
        Assert.StartsWith(host + "/login/", loginPage.ToString());
        Assert.StartsWith(fixture.SourceCallback + "?", callback.ToString());
        var query = PoolHostLogins.Query(callback);
        Assert.Equal("cart-7", query["state"]);
        Assert.Equal(host, query["iss"]);

        var tokens = await PoolHostLogins.JsonAsync(await PoolHostLogins.RedeemAsync(host, tenant, query["code"], fixture.SourceCallback, withSecret: true));
        var idToken = await PoolHostLogins.VerifyAsync(host, tokens["id_token"]!.GetValue<string>(), tenant.AppId);
        Assert.Equal("Mei", idToken.GetClaim("name").Value);
        Assert.Equal("wechat", idToken.GetClaim("identity_source").Value);
        // One use: the same code again is refused.
        var again = await PoolHostLogins.RedeemAsync(host, tenant, query["code"], fixture.SourceCallback, withSecret: true);
        Assert.Equal("invalid_grant", (await PoolHostLogins.JsonAsync(again, HttpStatusCode.BadRequest))["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_links_code_is_refused_without_the_application_secret()
    {
        var tenant = await fixture.CreateTenantAsync();
        using var browser = PoolHostFixture.Client();
        // The path form works the same.
        var pathForm = $"http://127.0.0.1:{fixture.Port}/oidc/{tenant.PoolId}";
        var (_, callback) = await _logins.LoginAsync(browser, Link(pathForm, tenant));
        var code = PoolHostLogins.Query(callback)["code"];
        var refused = await PoolHostLogins.RedeemAsync(pathForm, tenant, code, fixture.SourceCallback, withSecret: false);
        Assert.Equal("invalid_client", (await PoolHostLogins.JsonAsync(refused, HttpStatusCode.Unauthorized))["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_link_may_name_one_of_the_applications_callback_urls_instead()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        using var browser = PoolHostFixture.Client();
        var (_, callback) = await _logins.LoginAsync(browser, Link(host, tenant, new() { ["redirect_uri"] = fixture.AppCallback }));
        Assert.StartsWith(fixture.AppCallback + "?", callback.ToString());
        var tokens = await PoolHostLogins.RedeemAsync(host, tenant, PoolHostLogins.Query(callback)["code"], fixture.AppCallback, withSecret: true);
        await PoolHostLogins.JsonAsync(tokens);
    }

    [Fact]
    public async Task The_link_carries_a_state_of_up_to_2048_characters_to_the_login()
    {
        var tenant = await fixture.CreateTenantAsync();
        using var browser = PoolHostFixture.Client();
        var state = new string('s', 2048);
        var (_, callback) = await _logins.LoginAsync(browser, Link(fixture.PoolHost(tenant.PoolId), tenant, new() { ["state"] = state }));
        Assert.Equal(state, PoolHostLogins.Query(callback)["state"]);
    }

    [Fact]
    public async Task The_link_never_redirects_to_an_unregistered_callback_nor_for_a_source_the_application_may_not_use()
    {
        var tenant = await fixture.CreateTenantAsync();
        var other = await fixture.CreateTenantAsync();
        var withoutCallback = await fixture.CreateTenantAsync(sourceCallback: "");
        var host = fixture.PoolHost(tenant.PoolId);
        using var browser = PoolHostFixture.Client();
        var refusals = new[]
        {
            (Link(host, tenant, new() { ["redirect_uri"] = "https://evil.example/callback" }), HttpStatusCode.BadRequest),
            (Link(host, tenant, new() { ["redirect_uri"] = fixture.SourceCallback + "/" }), HttpStatusCode.BadRequest),
            (Link(host, other), HttpStatusCode.BadRequest),
            (Link(host, tenant, source: "no-such-source"), HttpStatusCode.NotFound),
            (Link(fixture.PoolHost(withoutCallback.PoolId), withoutCallback), HttpStatusCode.BadRequest),
            ($"{host}/connections/{Tenant.Source}", HttpStatusCode.BadRequest),
            (Link(host, tenant, new() { ["state"] = new string('s', 2049) }), HttpStatusCode.BadRequest),
            (Link(host, tenant) + "&app_id=" + tenant.AppId, HttpStatusCode.BadRequest),
            (Link(host, tenant) + "&state=a&state=b", HttpStatusCode.BadRequest),
            (Link($"http://127.0.0.1:{fixture.Port}/oidc/pool-nosuch01", tenant), HttpStatusCode.NotFound),
        };
        foreach (var (url, status) in refusals)
        {
            var response = await browser.GetAsync(url);
            Assert.True(response.StatusCode == status, $"{url} answered {(int)response.StatusCode}");
            Assert.Null(response.Headers.Location);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
