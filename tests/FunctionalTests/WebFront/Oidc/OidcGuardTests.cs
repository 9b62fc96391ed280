using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.OAuthAnswers;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The hosted login's guards that an outside audit could break without any test noticing (issue 19, item 8): who may redeem
/// a code, which requests the page's own calls accept, where a pop-up result may go, who may frame the page, and which
/// claims the phone scope adds. Over plain HTTP, as an attacker would send them.
/// </summary>
public sealed partial class OidcProtocolTests
{
    private const string SiteOrigin = "https://site.example";

    [Fact]
    public async Task An_authorization_code_is_redeemed_only_by_the_application_it_was_issued_to()
    {
        var tenant = await TenantAsync();
        // A second application of the same pool, with its own valid secret and the same callback URL.
        var second = tenant with { AppId = "app-" + Guid.NewGuid().ToString("N")[..8], AppSecret = "app-secret-" + Guid.NewGuid().ToString("N") };
        await system.Grains.GetGrain<IApplicationGrain>(second.AppId).SaveAsync(
            new ApplicationSettings(second.AppId, tenant.PoolId, "Second site", null, [], [Callback]), second.AppSecret);
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };

        // Authenticated as itself (its secret is right: invalid_grant, not invalid_client), with the code's own verifier.
        var (code, verifier) = await CodeAsync(tenant);
        var withSecret = await TokenAsync(http, second, code, verifier);
        Assert.Equal(HttpStatusCode.BadRequest, withSecret.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(withSecret));

        // As a public client naming itself, with the code's own verifier.
        var (another, anotherVerifier) = await CodeAsync(tenant);
        var asPublic = await TokenAsync(http, second, another, anotherVerifier, secret: null);
        Assert.Equal(HttpStatusCode.BadRequest, asPublic.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(asPublic));

        // The application it was issued to redeems the same kind of code.
        var (own, ownVerifier) = await CodeAsync(tenant);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(http, tenant, own, ownVerifier)).StatusCode);
    }

    [Fact]
    public async Task The_hosted_pages_renew_and_binding_calls_refuse_a_request_without_the_page_header_or_from_another_origin()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var started = await browser.GetAsync(AuthorizeUrl(tenant, []));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var loginPage = new Uri(system.A.BaseAddress!, started.Headers.Location!).ToString();
        var ownOrigin = system.A.BaseAddress!.GetLeftPart(UriPartial.Authority);

        var calls = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, "/renew", null),
            (HttpMethod.Get, "/binding", null),
            (HttpMethod.Post, "/binding/existing", new { account = "someone", password = "a password" }),
            (HttpMethod.Post, "/binding/new", new { }),
        };
        foreach (var (method, path, body) in calls)
        {
            HttpRequestMessage Call(bool pageHeader, string? origin)
            {
                var request = new HttpRequestMessage(method, loginPage + path) { Content = body is null ? null : JsonContent.Create(body) };
                if (pageHeader) request.Headers.Add("X-Requested-With", "scanlogin");
                if (origin is not null) request.Headers.Add("Origin", origin);
                return request;
            }

            // The login's cookie goes with every one of these (the same browser): each is refused for what it lacks, not for the cookie.
            var withoutHeader = await browser.SendAsync(Call(pageHeader: false, origin: null));
            Assert.True(await CodeOfAsync(withoutHeader) == (403, "cross_site_request"),
                $"{method} {path} without X-Requested-With answered {await DescribeAsync(withoutHeader)}");
            var foreign = await browser.SendAsync(Call(pageHeader: true, origin: "https://evil.example"));
            Assert.True(await CodeOfAsync(foreign) == (403, "cross_site_request"),
                $"{method} {path} from another origin answered {await DescribeAsync(foreign)}");

            // The same call as the page's script makes it gets past both checks (and past the cookie's).
            var own = await browser.SendAsync(Call(pageHeader: true, origin: ownOrigin));
            var (status, code) = await CodeOfAsync(own);
            Assert.True(status != 403 && code is not ("cross_site_request" or AuthorizationFailures.OtherBrowser),
                $"{method} {path} from the page itself answered {await DescribeAsync(own)}");
        }
    }

    [Fact]
    public async Task A_pop_up_result_is_posted_to_the_redirect_uris_origin_and_never_to_any_origin()
    {
        var tenant = await TenantAsync(allowedOrigins: [SiteOrigin]);
        var (completed, _) = await CompleteLoginAsync(tenant, new() { ["display"] = "popup", ["state"] = "popup-state" });
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        var html = await completed.Content.ReadAsStringAsync();
        var data = JsonDocument.Parse(PopupData().Match(html).Groups[1].Value).RootElement;
        Assert.Equal(SiteOrigin, data.GetProperty("targetOrigin").GetString());
        Assert.Equal("popup-state", data.GetProperty("result").GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("result").GetProperty("code").GetString()));

        // The page's script posts to exactly that origin.
        var script = await system.A.GetStringAsync("/oidc/assets/popup.js");
        Assert.Contains("postMessage(", script);
        Assert.Matches(@"postMessage\([^;]*,\s*data\.targetOrigin\)", script);
        Assert.DoesNotContain("'*'", script);
        Assert.DoesNotContain("\"*\"", script);
    }

    [Fact]
    public async Task Display_popup_with_a_redirect_uri_outside_the_allowed_origins_is_invalid_request_and_opens_no_ticket()
    {
        var tenant = await TenantAsync(allowedOrigins: ["https://other.example"]);
        using var browser = Browser();
        var refused = await browser.GetAsync(AuthorizeUrl(tenant, new() { ["display"] = "popup", ["state"] = "s-popup" }));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var query = QueryHelpers.ParseQuery(refused.Headers.Location!.Query);
        Assert.StartsWith(Callback + "?", refused.Headers.Location!.ToString());
        Assert.Equal("invalid_request", query["error"].ToString());
        Assert.Equal("s-popup", query["state"].ToString());
        // No ticket was opened for the application (every ticket move is logged with its application).
        Assert.DoesNotContain(system.Logs.Lines, line => line.Contains($"application {tenant.AppId}:", StringComparison.Ordinal));

        // The same request as a plain page opens one, and that line is seen.
        var page = await browser.GetAsync(AuthorizeUrl(tenant, new() { ["state"] = "s-page" }));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/login/", page.Headers.Location!.ToString());
        Assert.Contains(system.Logs.Lines, line => line.Contains($"application {tenant.AppId}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_login_page_of_an_application_without_allowed_origins_may_be_framed_by_nobody()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var started = await browser.GetAsync(AuthorizeUrl(tenant, []));
        var page = await browser.GetAsync(started.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var directives = page.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries);
        Assert.Equal("frame-ancestors 'none'", Assert.Single(directives, d => d.StartsWith("frame-ancestors", StringComparison.Ordinal)));

        // With an allowed origin, exactly that origin may frame it.
        var framed = await TenantAsync(allowedOrigins: [SiteOrigin]);
        var startedFramed = await browser.GetAsync(AuthorizeUrl(framed, []));
        var framedPage = await browser.GetAsync(startedFramed.Headers.Location);
        Assert.Contains($"frame-ancestors {SiteOrigin}", framedPage.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Phone_claims_are_in_the_id_token_and_userinfo_only_with_the_phone_scope()
    {
        var tenant = await TenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: "13900003333");
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };

        var (idToken, userinfo) = await TokensAsync(http, tenant, openId, "openid profile");
        Assert.Equal("Mei", idToken.GetClaim("name").Value); // the nickname the phone sent with its scan
        Assert.False(idToken.TryGetClaim("phone_number", out _), "phone_number in an ID token for openid profile");
        Assert.False(idToken.TryGetClaim("phone_number_verified", out _), "phone_number_verified in an ID token for openid profile");
        Assert.Equal("Mei", userinfo.GetProperty("name").GetString());
        Assert.False(userinfo.TryGetProperty("phone_number", out _), $"userinfo for openid profile: {userinfo}");
        Assert.False(userinfo.TryGetProperty("phone_number_verified", out _), $"userinfo for openid profile: {userinfo}");

        // The same user with the phone scope: both claims, in both places.
        (idToken, userinfo) = await TokensAsync(http, tenant, openId, "openid profile phone");
        Assert.Equal("+8613900003333", idToken.GetClaim("phone_number").Value);
        Assert.Equal("true", idToken.GetClaim("phone_number_verified").Value);
        Assert.Equal("+8613900003333", userinfo.GetProperty("phone_number").GetString());
        Assert.True(userinfo.GetProperty("phone_number_verified").GetBoolean());
    }

    /// <summary>A login that shares the phone, redeemed for tokens: the ID token and what userinfo answers for the access token.</summary>
    private async Task<(JsonWebToken IdToken, JsonElement Userinfo)> TokensAsync(HttpClient http, Tenant tenant, string openId, string scope)
    {
        var (completed, verifier) = await CompleteLoginAsync(tenant, new() { ["scope"] = scope }, openId, sharePhone: true);
        Assert.Equal(HttpStatusCode.Redirect, completed.StatusCode);
        var code = QueryHelpers.ParseQuery(completed.Headers.Location!.Query)["code"].ToString();
        var redeemed = await TokenAsync(http, tenant, code, verifier);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var tokens = await redeemed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(scope, tokens.GetProperty("scope").GetString());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{tenant.PoolId}/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        var userinfo = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, userinfo.StatusCode);
        return (new JsonWebToken(tokens.GetProperty("id_token").GetString()), await userinfo.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>A whole login over HTTP up to the answer of complete (a redirect, or the pop-up page), with a fresh PKCE pair.</summary>
    private async Task<(HttpResponseMessage Completed, string Verifier)> CompleteLoginAsync(Tenant tenant, Dictionary<string, string?> overrides,
        string? openId = null, bool sharePhone = false)
    {
        using var browser = Browser();
        var verifier = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "abcdefghijk";
        var query = new Dictionary<string, string?>(overrides) { ["code_challenge"] = LoginDriver.Challenge(verifier), ["code_challenge_method"] = "S256" };
        var started = await browser.GetAsync(AuthorizeUrl(tenant, query));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var loginPage = started.Headers.Location!.ToString();
        var ticketId = TicketInPage().Match(await browser.GetStringAsync(loginPage)).Groups[1].Value;
        openId ??= await system.Emulator.CreateUserAsync();
        var scan = await Api.ScanOkAsync(system.B, ticketId, await system.Emulator.LoginCodeAsync(openId));
        (await Api.ConfirmAsync(system.B, ticketId, scan.ScanToken, sharePhone ? await system.Emulator.PhoneCodeAsync(openId) : null)).EnsureSuccessStatusCode();
        return (await browser.GetAsync(loginPage + "/complete"), verifier);
    }

    private async Task<Tenant> TenantAsync(string[] allowedOrigins)
    {
        var tenant = await TenantAsync();
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { AllowedOrigins = allowedOrigins }, null);
        return tenant;
    }

    private static async Task<(int Status, string? Code)> CodeOfAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null);
        }
        catch (JsonException)
        {
            return ((int)response.StatusCode, null);
        }
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response) => $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";

    [GeneratedRegex("<script id=\"popup-data\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex PopupData();
}
