using System.Net;
using System.Text.Encodings.Web;
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

    /// <summary>Asks for <paramref name="url"/> and requires the refusal page: its status, its words, the OAuth error for the developer, no redirect.</summary>
    private static async Task PageRefusesAsync(HttpClient browser, string url, HttpStatusCode status, string message, string error)
    {
        var response = await browser.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status && response.Headers.Location is null, $"{url} answered {(int)response.StatusCode} {response.Headers.Location}: {html}");
        // The page encodes every value (non-ASCII letters and apostrophes as character references).
        Assert.True(html.Contains(HtmlEncoder.Default.Encode(message), StringComparison.Ordinal), $"{url} did not say \"{message}\": {html}");
        Assert.Contains($"<p class=\"detail\"><code>{error}</code></p>", html);
    }

    [Fact]
    public async Task Each_refusal_of_the_link_says_what_was_wrong_and_names_its_oauth_error()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        using var browser = PoolHostFixture.Client();
        await PageRefusesAsync(browser, Link($"http://127.0.0.1:{fixture.Port}/oidc/pool-nosuch{Guid.NewGuid().ToString("N")[..8]}", tenant), HttpStatusCode.NotFound,
            "This user pool does not exist.", "invalid_request");
        // The page names the parameter that is repeated, not merely the first one given.
        await PageRefusesAsync(browser, Link(host, tenant) + "&state=a&state=b", HttpStatusCode.BadRequest, "state is repeated.", "invalid_request");
        await PageRefusesAsync(browser, Link(host, tenant, new() { ["app_id"] = "app-nosuch" + Guid.NewGuid().ToString("N")[..6] }), HttpStatusCode.BadRequest,
            "Unknown application (app_id).", "invalid_client");
        await PageRefusesAsync(browser, Link(host, tenant, source: "no-such-source"), HttpStatusCode.NotFound,
            "This identity source is unknown, disabled or not enabled for this application.", "invalid_request");
        await PageRefusesAsync(browser, Link(host, tenant, new() { ["redirect_uri"] = "https://evil.example/callback" }), HttpStatusCode.BadRequest,
            "The callback URL is neither the identity source's nor one of the application's registered callback URLs.", "invalid_request");
        await PageRefusesAsync(browser, Link(host, tenant, new() { ["state"] = new string('s', 2049) }), HttpStatusCode.BadRequest,
            "state is longer than 2048 characters.", "invalid_request");
    }

    [Fact]
    public async Task The_link_speaks_the_language_of_ui_locales_before_accept_language_on_its_refusals_and_on_the_login_it_starts()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        using var browser = PoolHostFixture.Client();
        browser.DefaultRequestHeaders.Add("Accept-Language", "en-US,en;q=0.9");
        var chinese = new Dictionary<string, string?> { ["ui_locales"] = "zh-CN" };
        await PageRefusesAsync(browser, Link(host, tenant, new(chinese) { ["state"] = new string('s', 2049) }), HttpStatusCode.BadRequest,
            "state 过长（超过 2048 个字符）。", "invalid_request");

        // The login started remembers the language: its page needs no ui_locales of its own.
        var started = await browser.GetAsync(Link(host, tenant, chinese));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.Contains("<html lang=\"zh-CN\"", await browser.GetStringAsync(new Uri(new Uri(host), started.Headers.Location!)));
        var english = await browser.GetAsync(Link(host, tenant));
        Assert.Contains("<html lang=\"en\"", await browser.GetStringAsync(new Uri(new Uri(host), english.Headers.Location!)));
    }

    [Fact]
    public async Task An_app_id_of_64_characters_starts_the_login_and_one_of_65_is_never_looked_up()
    {
        // New ids each run: an application is stored for good, under its first pool.
        var longest = await fixture.CreateTenantAsync(appId: ("app-" + Guid.NewGuid().ToString("N")).PadRight(64, 'a'));
        var tooLong = await fixture.CreateTenantAsync(appId: ("app-" + Guid.NewGuid().ToString("N")).PadRight(65, 'b'));
        using var browser = PoolHostFixture.Client();
        var started = await browser.GetAsync(Link(fixture.PoolHost(longest.PoolId), longest));
        Assert.True(started.StatusCode == HttpStatusCode.Redirect, $"A 64-character app_id answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        // Stored under that id or not, a 65-character app_id is no application's.
        await PageRefusesAsync(browser, Link(fixture.PoolHost(tooLong.PoolId), tooLong), HttpStatusCode.BadRequest, "Unknown application (app_id).", "invalid_client");
    }

    [Fact]
    public async Task An_identity_source_identifier_of_31_characters_is_usable_and_one_of_32_never()
    {
        var (shorter, longest) = (new string('s', 31), new string('t', 32));
        var tenant = await fixture.CreateTenantAsync(moreSources: [shorter, longest]);
        var host = fixture.PoolHost(tenant.PoolId);
        using var browser = PoolHostFixture.Client();
        var started = await browser.GetAsync(Link(host, tenant, source: shorter));
        Assert.True(started.StatusCode == HttpStatusCode.Redirect, $"A 31-character source answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        await PageRefusesAsync(browser, Link(host, tenant, source: longest), HttpStatusCode.NotFound,
            "This identity source is unknown, disabled or not enabled for this application.", "invalid_request");
    }
}
