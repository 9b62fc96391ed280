using System.Net;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// What each refusal of the hosted login tells: the error and the description a client's developer reads at the redirect URI,
/// the error code on the pages that never redirect, and the page's own calls refusing other sites and other browsers.
/// </summary>
public sealed partial class OidcProtocolTests
{
    [Theory]
    [InlineData("nonce", "again", "invalid_request", "nonce is repeated.", 0, true)]
    [InlineData("request", "eyJhbGciOiJub25lIn0.e30.", "request_not_supported", "Request objects are not supported.")]
    [InlineData("request_uri", "https://site.example/request.jwt", "request_uri_not_supported", "Request objects are not supported.")]
    [InlineData("response_type", "token", "unsupported_response_type", "Only response_type=code is supported.")]
    [InlineData("response_mode", "fragment", "invalid_request", "response_mode must be query or form_post.")]
    [InlineData("state", "s", "invalid_request", "state is longer than 2048 characters.", 2049)]
    [InlineData("nonce", "n", "invalid_request", "nonce is longer than 512 characters.", 513)]
    [InlineData("scope", "profile phone", "invalid_scope", "scope must include openid.")]
    [InlineData("scope", "openid email", "invalid_scope", "Unsupported scope email.")]
    [InlineData("code_challenge", null, "invalid_request", "code_challenge_method without code_challenge.")]
    [InlineData("code_challenge_method", "plain", "invalid_request", "code_challenge_method must be S256.")]
    [InlineData("code_challenge", "short", "invalid_request", "code_challenge must be 43 base64url characters (S256).")]
    [InlineData("display", "fullscreen", "invalid_request", "display must be page, popup, touch or wap.")]
    [InlineData("display", "popup", "invalid_request", "display=popup needs the redirect URI's origin among the application's allowed origins.")]
    [InlineData("identity_source", "nope", "invalid_request", "identity_source is unknown, disabled or not enabled for this application.")]
    public async Task Each_refused_authorization_request_goes_back_with_its_error_and_a_description_saying_why(string name, string? value, string error,
        string description, int length = 0, bool sentTwice = false)
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        // A length makes the value that many copies of its character; sentTwice sends the parameter once more after the defaults.
        var sent = length > 0 ? new string(value![0], length) : value;
        var url = sentTwice
            ? AuthorizeUrl(tenant, new() { ["state"] = "s-d" }) + $"&{name}={Uri.EscapeDataString(sent!)}"
            : AuthorizeUrl(tenant, new() { ["state"] = "s-d", [name] = sent });

        var response = await browser.GetAsync(url);

        AssertErrorRedirect(response, error, name == "state" ? sent : "s-d");
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal(description, query["error_description"].ToString());
        Assert.Equal($"{SystemFixture.PublicBaseUrl}/oidc/{tenant.PoolId}", query["iss"].ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task The_login_page_speaks_the_language_asked_for_at_authorize()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, new() { ["ui_locales"] = "zh-CN" }))).Headers.Location!.ToString();

        Assert.Contains("<html lang=\"zh-CN\"", await browser.GetStringAsync(loginPage));
    }

    [Fact]
    public async Task An_identity_source_name_of_32_characters_or_more_is_never_chosen()
    {
        var (shorter, longest) = (new string('s', 31), new string('t', 32));
        var saved = await system.NewTenant()
            .Pool(browserExchangeDisabled: false, name: "Pool")
            .Application(callbacks: [Callback], name: "Functional test site")
            .IdentitySource()
            .AnotherIdentitySource(shorter)
            .AnotherIdentitySource(longest)
            .SaveAsync(system.Grains);
        var tenant = new Tenant(saved.PoolId, saved.AppId, saved.AppSecret);
        using var browser = Browser();

        AssertStartsLogin(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["identity_source"] = shorter })));
        AssertErrorRedirect(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["identity_source"] = longest, ["state"] = "s-long" })), "invalid_request", "s-long");
    }

    [Fact]
    public async Task A_refusal_page_names_the_oauth_error_for_the_developer()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        async Task PageAsync(string url, HttpStatusCode status, string error, string? message = null)
        {
            var page = await browser.GetAsync(url);
            var html = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == status && page.Headers.Location is null, $"{url}: {(int)page.StatusCode} {page.Headers.Location}");
            Assert.Contains($"<p class=\"detail\"><code>{error}</code></p>", html);
            if (message is not null) Assert.Contains(HtmlEncoder.Default.Encode(message), html);
        }
        await PageAsync(AuthorizeUrl(tenant, []).Replace($"/oidc/{tenant.PoolId}/", "/oidc/no-such-pool-" + Guid.NewGuid().ToString("N")[..6] + "/"),
            HttpStatusCode.NotFound, "invalid_request", LoginText.En.PoolNotFound);
        await PageAsync(AuthorizeUrl(tenant, new() { ["client_id"] = "no-such-app" }), HttpStatusCode.BadRequest, "invalid_client", LoginText.En.UnknownClient);
        await PageAsync(AuthorizeUrl(tenant, new() { ["redirect_uri"] = "https://evil.example/cb" }), HttpStatusCode.BadRequest, "invalid_request",
            LoginText.En.RedirectUriNotRegistered);
        // A repeated redirect URI is told as repeated, not as unregistered.
        await PageAsync(AuthorizeUrl(tenant, []) + "&redirect_uri=" + Uri.EscapeDataString(Callback), HttpStatusCode.BadRequest, "invalid_request",
            LoginText.En.ClientOrRedirectRepeated);
    }

    [Fact]
    public async Task Only_a_POST_reads_the_request_from_its_form_and_an_unreadable_form_is_refused_on_a_page()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var url = AuthorizeUrl(tenant, new() { ["scope"] = "profile", ["state"] = "s-get" });
        // A GET carrying a form body: the query is the request (the body names an unknown client and would be a page).
        var bodyParameters = QueryHelpers.ParseQuery(new Uri(AuthorizeUrl(tenant, new() { ["client_id"] = "no-such-app" })).Query)
            .ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        using var get = new HttpRequestMessage(HttpMethod.Get, url) { Content = new FormUrlEncodedContent(bodyParameters) };
        AssertErrorRedirect(await browser.SendAsync(get), "invalid_scope", "s-get");

        // Multipart without a boundary cannot be read as a form.
        var unreadable = new StringContent("--x\r\n");
        unreadable.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        var refused = await browser.PostAsync(new Uri(url).GetLeftPart(UriPartial.Path), unreadable);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains(HtmlEncoder.Default.Encode(LoginText.En.FormUnreadable), html);
        Assert.Contains("<code>invalid_request</code>", html);
    }

    [Fact]
    public async Task The_pages_own_calls_refuse_other_sites_other_browsers_and_ids_that_cannot_be_ids()
    {
        var tenant = await TenantAsync();
        var (browser, cookies) = CookieBrowser();
        using var _ = browser;
        using var stranger = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var requestId = RequestIdOf(loginPage);
        var cookie = CookieOf(cookies, loginPage);
        foreach (var (method, call, crossSite) in new[]
        {
            (HttpMethod.Post, "/renew", "Renew the code from the login page itself."),
            (HttpMethod.Get, "/binding", "Bind from the login page itself."),
        })
        {
            async Task<(int Status, string? Code, string? Detail)> SendAsync(HttpClient client, string page, bool pageHeader, string? origin = null,
                string? withCookie = null)
            {
                using var request = new HttpRequestMessage(method, page + call);
                if (pageHeader) request.Headers.Add("X-Requested-With", "scanlogin");
                if (origin is not null) request.Headers.Add("Origin", origin);
                if (withCookie is not null) request.Headers.Add("Cookie", withCookie);
                var response = await client.SendAsync(request);
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                return ((int)response.StatusCode, body.GetProperty("code").GetString(), body.GetProperty("detail").GetString());
            }

            Assert.Equal((403, "cross_site_request", crossSite), await SendAsync(browser, loginPage, pageHeader: false));
            Assert.Equal((403, "cross_site_request", crossSite), await SendAsync(browser, loginPage, pageHeader: true, origin: "https://evil.example"));
            Assert.Equal((403, AuthorizationFailures.OtherBrowser, "This login was started in another browser."),
                await SendAsync(stranger, loginPage, pageHeader: true));
            // The login's own cookie under a pool id that cannot be one: refused before the login is looked up.
            Assert.Equal((403, AuthorizationFailures.OtherBrowser, "This login was started in another browser."),
                await SendAsync(stranger, $"/oidc/bad~pool/login/{requestId}", pageHeader: true, withCookie: cookie));
        }
    }

    [Fact]
    public async Task A_login_page_opened_with_another_logins_secret_is_another_browsers_and_an_unknown_login_has_timed_out()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var requestId = RequestIdOf(loginPage);
        var wrongSecret = $"scanlogin_login_{requestId}=" + new string('x', 43);

        using var stranger = Browser();
        using var other = new HttpRequestMessage(HttpMethod.Get, loginPage);
        other.Headers.Add("Cookie", wrongSecret);
        var forbidden = await stranger.SendAsync(other);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains(HtmlEncoder.Default.Encode(LoginText.En.OtherBrowser), await forbidden.Content.ReadAsStringAsync());

        var unknownId = new string('A', requestId.Length);
        using var unknown = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{tenant.PoolId}/login/{unknownId}");
        unknown.Headers.Add("Cookie", $"scanlogin_login_{unknownId}=" + new string('x', 43));
        var notFound = await stranger.SendAsync(unknown);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Contains(HtmlEncoder.Default.Encode(LoginText.En.TimedOut), await notFound.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cancelling_tells_the_client_the_user_cancelled_and_deletes_the_cookie_with_its_attributes()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, new() { ["state"] = "s-c" }))).Headers.Location!.ToString();

        var aborted = await browser.GetAsync(loginPage + "/abort");

        AssertErrorRedirect(aborted, "access_denied", "s-c");
        Assert.Equal("The user cancelled the login.", QueryHelpers.ParseQuery(aborted.Headers.Location!.Query)["error_description"].ToString());
        var attributes = Assert.Single(aborted.Headers.GetValues("Set-Cookie")).Split(';', StringSplitOptions.TrimEntries).Select(a => a.ToLowerInvariant()).ToArray();
        Assert.Contains("httponly", attributes);
        Assert.Contains($"path={loginPage}".ToLowerInvariant(), attributes);
        Assert.DoesNotContain("secure", attributes); // this test server speaks plain HTTP
    }
}
