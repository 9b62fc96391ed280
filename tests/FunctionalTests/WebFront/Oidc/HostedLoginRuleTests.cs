using System.Net;
using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The hosted login's rules that the mutation run of src/WebFront/Oidc found unguarded (issue 19, item 8): parameter limits and
/// repeats, the refusal pages' language, the login cookie, the page's states, cancel, form_post and pop-up errors, the page's
/// own calls and their input checks. Over plain HTTP, as a browser or an attacker sends them.
/// </summary>
public sealed partial class OidcProtocolTests
{
    [Theory]
    [InlineData("request", "eyJhbGciOiJub25lIn0.e30.", "request_not_supported")]
    [InlineData("request_uri", "https://site.example/request.jwt", "request_uri_not_supported")]
    [InlineData("code_challenge", "short", "invalid_request")]
    [InlineData("display", "fullscreen", "invalid_request")]
    [InlineData("prompt", "login bogus", "invalid_request")]
    [InlineData("identity_source", "a-source-name-of-thirty-two-char", "invalid_request")]
    public async Task Request_objects_bad_challenges_and_unknown_display_or_prompt_values_go_back_as_errors_with_the_state(string name, string value,
        string error)
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        AssertErrorRedirect(await browser.GetAsync(AuthorizeUrl(tenant, new() { [name] = value, ["state"] = "s-2" })), error, "s-2");
    }

    [Fact]
    public async Task A_challenge_method_without_a_challenge_is_refused_and_a_challenge_needs_S256()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        AssertErrorRedirect(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["code_challenge_method"] = "S256" }, pkce: false)), "invalid_request", "st");
        AssertErrorRedirect(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["code_challenge_method"] = null }, pkce: true)), "invalid_request", "st");
        // Without either, the code simply needs the client's secret later.
        AssertStartsLogin(await browser.GetAsync(AuthorizeUrl(tenant, [], pkce: false)));
    }

    [Fact]
    public async Task State_may_hold_2048_characters_and_nonce_512_and_one_more_is_refused()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        AssertStartsLogin(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["state"] = new string('s', 2048), ["nonce"] = new string('n', 512) })));
        AssertErrorRedirect(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["state"] = new string('s', 2049) })), "invalid_request", new string('s', 2049));
        AssertErrorRedirect(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["nonce"] = new string('n', 513) })), "invalid_request", "st");
    }

    [Fact]
    public async Task A_repeated_parameter_is_refused_a_repeated_client_or_redirect_uri_on_a_page_others_at_the_redirect_uri()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        foreach (var repeated in new[] { "client_id=" + tenant.AppId, "redirect_uri=" + Uri.EscapeDataString(Callback) })
        {
            var page = await browser.GetAsync(AuthorizeUrl(tenant, []) + "&" + repeated);
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            Assert.Null(page.Headers.Location);
            Assert.Contains("invalid_request", await page.Content.ReadAsStringAsync());
        }
        AssertErrorRedirect(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["state"] = null }) + "&nonce=again"), "invalid_request", null);
    }

    [Fact]
    public async Task Every_display_and_the_interactive_prompt_values_start_a_login()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        foreach (var display in new[] { "page", "touch", "wap" })
            AssertStartsLogin(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["display"] = display })));
        AssertStartsLogin(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["prompt"] = "login consent select_account" })));
        AssertStartsLogin(await browser.GetAsync(AuthorizeUrl(tenant, new() { ["identity_source"] = Tenant.Source })));
    }

    [Fact]
    public async Task A_posted_authorization_request_is_read_from_its_form()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var url = new Uri(AuthorizeUrl(tenant, []));
        var form = QueryHelpers.ParseQuery(url.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        AssertStartsLogin(await browser.PostAsync(url.GetLeftPart(UriPartial.Path), new FormUrlEncodedContent(form)));
        // A form with no client is refused as one: the query of a POST is not read instead.
        var empty = await browser.PostAsync(url.ToString(), new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "y" }));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("invalid_client", await empty.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("zh-CN", null, "用户池不存在。", "未知的应用（client_id）。", "client_id 或 redirect_uri 重复。", "redirect_uri 不是该应用登记的回调地址。")]
    [InlineData(null, "zh-CN,zh;q=0.9", "用户池不存在。", "未知的应用（client_id）。", "client_id 或 redirect_uri 重复。", "redirect_uri 不是该应用登记的回调地址。")]
    [InlineData("en", "zh-CN", "This user pool does not exist.", "Unknown application (client_id).", "client_id or redirect_uri is repeated.",
        "redirect_uri is not one of the application's registered callback URLs.")]
    public async Task The_pages_refusing_an_untrusted_client_speak_the_language_of_ui_locales_then_accept_language(string? uiLocales,
        string? acceptLanguage, string noPool, string unknownClient, string repeated, string badRedirect)
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        if (acceptLanguage is not null) browser.DefaultRequestHeaders.Add("Accept-Language", acceptLanguage);
        var locale = new Dictionary<string, string?> { ["ui_locales"] = uiLocales };
        async Task PageSaysAsync(string url, HttpStatusCode status, string message)
        {
            var page = await browser.GetAsync(url);
            Assert.Equal(status, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync();
            // The page encodes every value (non-ASCII letters as character references).
            Assert.True(html.Contains(HtmlEncoder.Default.Encode(message), StringComparison.Ordinal), $"{url} did not say \"{message}\": {html}");
        }
        await PageSaysAsync(AuthorizeUrl(tenant, locale).Replace($"/oidc/{tenant.PoolId}/", "/oidc/no-such-pool-" + Guid.NewGuid().ToString("N")[..6] + "/"),
            HttpStatusCode.NotFound, noPool);
        await PageSaysAsync(AuthorizeUrl(tenant, new(locale) { ["client_id"] = "no-such-app" }), HttpStatusCode.BadRequest, unknownClient);
        await PageSaysAsync(AuthorizeUrl(tenant, locale) + "&client_id=" + tenant.AppId, HttpStatusCode.BadRequest, repeated);
        await PageSaysAsync(AuthorizeUrl(tenant, new(locale) { ["redirect_uri"] = "https://evil.example/cb" }), HttpStatusCode.BadRequest, badRedirect);
    }

    [Fact]
    public async Task Pool_and_client_ids_that_cannot_be_ids_are_refused_on_a_page()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var badPool = await browser.GetAsync(AuthorizeUrl(tenant, []).Replace($"/oidc/{tenant.PoolId}/", "/oidc/bad%20pool/"));
        Assert.Equal(HttpStatusCode.NotFound, badPool.StatusCode);
        var longPool = await browser.GetAsync(AuthorizeUrl(tenant, []).Replace($"/oidc/{tenant.PoolId}/", $"/oidc/{new string('p', 65)}/"));
        Assert.Equal(HttpStatusCode.NotFound, longPool.StatusCode);
        var longClient = await browser.GetAsync(AuthorizeUrl(tenant, new() { ["client_id"] = new string('c', 65) }));
        Assert.Equal(HttpStatusCode.BadRequest, longClient.StatusCode);
        Assert.Contains("invalid_client", await longClient.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_login_cookie_is_http_only_same_site_lax_scoped_to_its_login_and_the_redirect_is_neither_cached_nor_referred()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var started = await browser.GetAsync(AuthorizeUrl(tenant, []));
        AssertStartsLogin(started);
        var loginPath = started.Headers.Location!.ToString();
        var requestId = RequestIdOf(loginPath);
        var cookie = Assert.Single(started.Headers.GetValues("Set-Cookie"));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Select(a => a.ToLowerInvariant()).ToArray();
        Assert.StartsWith($"scanlogin_login_{requestId}=".ToLowerInvariant(), attributes[0]);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.Contains($"path={loginPath}".ToLowerInvariant(), attributes);
        Assert.Contains(attributes, a => a.StartsWith("expires=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", attributes); // this test server speaks plain HTTP
        Assert.Equal("no-referrer", started.Headers.GetValues("Referrer-Policy").Single());
        Assert.True(started.Headers.CacheControl?.NoStore, "the redirect to the login page may be cached");
    }

    [Fact]
    public async Task The_page_shows_its_applications_logo_offers_open_in_wechat_on_phones_and_follows_by_long_poll_when_asked()
    {
        var tenant = await TenantAsync();
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { LogoUrl = "https://cdn.example/logo.png" }, null);
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();

        var desktop = await browser.GetAsync(loginPage);
        var html = await desktop.Content.ReadAsStringAsync();
        Assert.Contains("src=\"https://cdn.example/logo.png\"", html);
        Assert.Contains("https://cdn.example", desktop.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("\"transport\":\"sse\"", html);
        // The source by its display name, not its identifier.
        Assert.Contains("<p class=\"source\">with WeChat</p>", html);
        Assert.DoesNotContain("open-in-wechat", html);
        Assert.Contains("<html lang=\"en\"", html);

        var polled = await (await browser.GetAsync(loginPage + "?transport=poll&ui_locales=zh-CN")).Content.ReadAsStringAsync();
        Assert.Contains("\"transport\":\"poll\"", polled);
        Assert.Contains("<html lang=\"zh-CN\"", polled);

        using var phone = new HttpRequestMessage(HttpMethod.Get, loginPage);
        phone.Headers.UserAgent.ParseAdd("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148");
        Assert.Contains("id=\"open-in-wechat\"", await (await browser.SendAsync(phone)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_logo_that_is_not_an_http_url_is_left_out_of_the_page()
    {
        var tenant = await TenantAsync();
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { LogoUrl = "data:image/png;base64,AAAA" }, null);
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var page = await browser.GetAsync(loginPage);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("app-logo", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_login_is_read_only_under_its_own_pool_with_its_own_cookie()
    {
        var tenant = await TenantAsync();
        var other = await TenantAsync();
        var (browser, cookies) = CookieBrowser();
        using var _ = browser;
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var requestId = RequestIdOf(loginPage);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(loginPage)).StatusCode);

        // Under another pool's path, even with the login's cookie: not found there.
        using var foreign = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{other.PoolId}/login/{requestId}");
        foreign.Headers.Add("Cookie", CookieOf(cookies, loginPage));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.SendAsync(foreign)).StatusCode);
        // Another browser (no cookie) and a malformed id.
        using var stranger = Browser();
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync(loginPage)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/oidc/{tenant.PoolId}/login/not-an-id")).StatusCode);
        // The page's renew call under another pool's path: the login is not found there.
        using var renew = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{other.PoolId}/login/{requestId}/renew");
        renew.Headers.Add("Cookie", CookieOf(cookies, loginPage));
        renew.Headers.Add("X-Requested-With", "scanlogin");
        var renewed = await browser.SendAsync(renew);
        Assert.Equal((404, AuthorizationFailures.RequestNotFound), await CodeOfAsync(renewed));
        // Renew without the cookie: another browser's.
        using var noCookie = new HttpRequestMessage(HttpMethod.Post, loginPage + "/renew");
        noCookie.Headers.Add("X-Requested-With", "scanlogin");
        Assert.Equal((403, AuthorizationFailures.OtherBrowser), await CodeOfAsync(await stranger.SendAsync(noCookie)));
    }

    [Fact]
    public async Task Renewing_from_the_page_opens_a_new_ticket_for_the_same_login_and_is_not_cached()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var firstTicket = TicketInPage().Match(await browser.GetStringAsync(loginPage)).Groups[1].Value;
        using var renew = new HttpRequestMessage(HttpMethod.Post, loginPage + "/renew");
        renew.Headers.Add("X-Requested-With", "scanlogin");
        var renewed = await browser.SendAsync(renew);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.True(renewed.Headers.CacheControl?.NoStore, "a renewed code may be cached");
        var body = await renewed.Content.ReadFromJsonAsync<JsonElement>();
        var ticketId = body.GetProperty("ticketId").GetString()!;
        Assert.NotEqual(firstTicket, ticketId);
        Assert.Equal($"/api/tickets/{ticketId}/qr.png?size=240", body.GetProperty("qrImageUrl").GetString());
        // The page now shows the new ticket.
        Assert.Equal(ticketId, TicketInPage().Match(await browser.GetStringAsync(loginPage)).Groups[1].Value);
    }

    [Fact]
    public async Task Completing_before_the_phone_confirmed_sends_the_browser_back_to_the_page()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var early = await browser.GetAsync(loginPage + "/complete");
        Assert.Equal(HttpStatusCode.Redirect, early.StatusCode);
        Assert.Equal(loginPage, early.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_completed_login_forgets_its_cookie_and_its_page_and_code_are_not_given_twice()
    {
        var tenant = await TenantAsync();
        var (browser, cookies) = CookieBrowser();
        using var _ = browser;
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var cookie = CookieOf(cookies, loginPage);
        var ticketId = TicketInPage().Match(await browser.GetStringAsync(loginPage)).Groups[1].Value;
        var openId = await system.Emulator.CreateUserAsync();
        var scan = await Api.ScanOkAsync(system.B, ticketId, await system.Emulator.LoginCodeAsync(openId));
        (await Api.ConfirmAsync(system.B, ticketId, scan.ScanToken)).EnsureSuccessStatusCode();
        var completed = await browser.GetAsync(loginPage + "/complete");
        Assert.Equal(HttpStatusCode.Redirect, completed.StatusCode);
        var query = QueryHelpers.ParseQuery(completed.Headers.Location!.Query);
        Assert.Equal("st", query["state"].ToString());
        Assert.Equal($"{SystemFixture.PublicBaseUrl}/oidc/{tenant.PoolId}", query["iss"].ToString());
        var expired = Assert.Single(completed.Headers.GetValues("Set-Cookie"));
        Assert.Contains("expires=Thu, 01 Jan 1970", expired, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"path={loginPage}", expired, StringComparison.OrdinalIgnoreCase);

        // The same cookie, kept by a browser that ignored the expiry: the page is gone and no second code is given.
        using var page = new HttpRequestMessage(HttpMethod.Get, loginPage);
        page.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Gone, (await system.A.SendAsync(page)).StatusCode);
        using var again = new HttpRequestMessage(HttpMethod.Get, loginPage + "/complete");
        again.Headers.Add("Cookie", cookie);
        var second = await system.A.SendAsync(again);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Null(second.Headers.Location);
    }

    [Fact]
    public async Task Cancel_and_return_sends_access_denied_with_the_state_and_issuer_and_forgets_the_cookie()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, new() { ["state"] = "s-abort" }))).Headers.Location!.ToString();
        var aborted = await browser.GetAsync(loginPage + "/abort");
        AssertErrorRedirect(aborted, "access_denied", "s-abort");
        Assert.Contains("expires=Thu, 01 Jan 1970", Assert.Single(aborted.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync(loginPage)).StatusCode);
    }

    [Fact]
    public async Task Response_mode_form_post_answers_a_form_to_the_redirect_uri_that_only_it_may_receive()
    {
        var tenant = await TenantAsync();
        var (completed, _) = await CompleteLoginAsync(tenant, new() { ["response_mode"] = "form_post", ["state"] = "s-form" });
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        var html = await completed.Content.ReadAsStringAsync();
        Assert.Contains($"action=\"{Callback}\"", html);
        Assert.Contains("name=\"state\" value=\"s-form\"", html);
        Assert.Contains("name=\"code\" value=\"", html);
        Assert.Contains(completed.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries),
            d => d == "form-action https://site.example");

        // An error of a form_post request comes back the same way.
        using var browser = Browser();
        var refused = await browser.GetAsync(AuthorizeUrl(tenant, new() { ["response_mode"] = "form_post", ["prompt"] = "none", ["state"] = "s-form2" }));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var form = await refused.Content.ReadAsStringAsync();
        Assert.Contains("name=\"error\" value=\"login_required\"", form);
        Assert.Contains("name=\"state\" value=\"s-form2\"", form);
    }

    [Fact]
    public async Task An_error_of_a_pop_up_login_is_posted_to_its_opener_like_a_result()
    {
        var tenant = await TenantAsync(allowedOrigins: [SiteOrigin]);
        using var browser = Browser();
        var refused = await browser.GetAsync(AuthorizeUrl(tenant, new() { ["display"] = "popup", ["prompt"] = "none", ["state"] = "s-pop" }));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var data = JsonDocument.Parse(PopupData().Match(await refused.Content.ReadAsStringAsync()).Groups[1].Value).RootElement;
        Assert.Equal(SiteOrigin, data.GetProperty("targetOrigin").GetString());
        Assert.Equal("login_required", data.GetProperty("result").GetProperty("error").GetString());
        Assert.Equal("s-pop", data.GetProperty("result").GetProperty("state").GetString());
        // Only the application's own origins may frame the answer.
        Assert.Contains("frame-ancestors https://site.example", refused.Headers.GetValues("Content-Security-Policy").Single());

        // Cancelling a pop-up login answers the opener too.
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, new() { ["display"] = "popup" }))).Headers.Location!.ToString();
        var aborted = await browser.GetAsync(loginPage + "/abort");
        Assert.Equal(HttpStatusCode.OK, aborted.StatusCode);
        var abortData = JsonDocument.Parse(PopupData().Match(await aborted.Content.ReadAsStringAsync()).Groups[1].Value).RootElement;
        Assert.Equal("access_denied", abortData.GetProperty("result").GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_pages_binding_calls_check_their_input_before_any_attempt()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var loginPage = (await browser.GetAsync(AuthorizeUrl(tenant, []))).Headers.Location!.ToString();
        var cases = new (string Path, object Body, string Field)[]
        {
            ("/binding/existing", new { account = "", password = "pw", bindingCode = "123456" }, "account"),
            ("/binding/existing", new { account = new string('a', 255), password = "pw", bindingCode = "123456" }, "account"),
            ("/binding/existing", new { account = "mei\u0001", password = "pw", bindingCode = "123456" }, "account"),
            ("/binding/existing", new { account = "mei", password = "", bindingCode = "123456" }, "password"),
            ("/binding/existing", new { account = "mei", password = new string('p', 129), bindingCode = "123456" }, "password"),
            ("/binding/new", new { username = "-bad", bindingCode = "123456" }, "username"),
            ("/binding/new", new { email = "not-an-email", bindingCode = "123456" }, "email"),
            ("/binding/new", new { username = "mei", password = "short", bindingCode = "123456" }, "password"),
            ("/binding/new", new { username = "mei", password = new string('p', 129), bindingCode = "123456" }, "password"),
            ("/binding/new", new { password = "long enough", bindingCode = "123456" }, "username"),
            ("/binding/new", new { nickname = new string('n', 65), bindingCode = "123456" }, "nickname"),
            ("/binding/new", new { nickname = "mei\u0007", bindingCode = "123456" }, "nickname"),
        };
        foreach (var (path, body, field) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, loginPage + path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Requested-With", "scanlogin");
            var response = await browser.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _),
                $"{path} {JsonSerializer.Serialize(body)}: expected 400 on {field}, got {(int)response.StatusCode} {text}");
        }
        // Valid input reaches the ticket, which has no binding to offer before a scan.
        using var valid = new HttpRequestMessage(HttpMethod.Post, loginPage + "/binding/new")
            { Content = JsonContent.Create(new { username = "mei", password = "long enough", nickname = "Mei", bindingCode = "123456" }) };
        valid.Headers.Add("X-Requested-With", "scanlogin");
        var reached = await browser.SendAsync(valid);
        Assert.NotEqual(HttpStatusCode.BadRequest, reached.StatusCode);
        Assert.Equal("no-store", reached.Headers.CacheControl?.ToString());
    }

    private static void AssertErrorRedirect(HttpResponseMessage response, string error, string? state)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"expected a redirect with {error}, got {(int)response.StatusCode}");
        var location = response.Headers.Location!;
        Assert.StartsWith(Callback + "?", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(error, query["error"].ToString());
        if (state is null) Assert.False(query.ContainsKey("state"));
        else Assert.Equal(state, query["state"].ToString());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    private static void AssertStartsLogin(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/login/", StringComparison.Ordinal),
            $"expected the login page, got {(int)response.StatusCode} {response.Headers.Location}");
    }

    /// <summary>A browser whose cookies the test can read, to replay them as another client would.</summary>
    private (HttpClient Browser, CookieContainer Cookies) CookieBrowser()
    {
        var cookies = new CookieContainer();
        return (new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = system.A.BaseAddress }, cookies);
    }

    private string CookieOf(CookieContainer cookies, string loginPage) => cookies.GetCookieHeader(new Uri(system.A.BaseAddress!, loginPage));
}
