using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.OAuthAnswers;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>The hosted login's protocol edges over plain HTTP: what is refused, where errors go, and how codes are spent.</summary>
[Collection(SystemCollection.Name)]
public sealed partial class OidcProtocolTests(SystemFixture system)
{
    private const string Callback = "https://site.example/callback";

    [Fact]
    public async Task An_unknown_client_or_unregistered_redirect_uri_gets_a_page_never_a_redirect()
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        foreach (var (client, redirect) in new[] { ("no-such-app", Callback), (tenant.AppId, "https://evil.example/callback"), (tenant.AppId, Callback + "/") })
        {
            var response = await browser.GetAsync(AuthorizeUrl(tenant, new() { ["client_id"] = client, ["redirect_uri"] = redirect }));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
        // An application of another pool is unknown here too.
        var other = await TenantAsync();
        var foreign = await browser.GetAsync(AuthorizeUrl(tenant, new() { ["client_id"] = other.AppId }));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Null(foreign.Headers.Location);
    }

    [Theory]
    [InlineData("scope", "openid email", "invalid_scope")]
    [InlineData("scope", "profile", "invalid_scope")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("code_challenge_method", "plain", "invalid_request")]
    [InlineData("prompt", "none", "login_required")]
    [InlineData("identity_source", "nope", "invalid_request")]
    [InlineData("response_mode", "fragment", "invalid_request")]
    public async Task Other_errors_go_back_to_the_redirect_uri_with_the_state(string name, string value, string error)
    {
        var tenant = await TenantAsync();
        using var browser = Browser();
        var response = await browser.GetAsync(AuthorizeUrl(tenant, new() { [name] = value, ["state"] = "s-1" }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Callback + "?", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(error, query["error"].ToString());
        Assert.Equal("s-1", query["state"].ToString());
        Assert.Equal($"{SystemFixture.PublicBaseUrl}/oidc/{tenant.PoolId}", query["iss"].ToString());
    }

    [Fact]
    public async Task The_token_endpoint_authenticates_the_client_and_binds_the_code_to_redirect_uri_and_verifier()
    {
        var tenant = await TenantAsync();
        var (code, verifier) = await CodeAsync(tenant);
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };

        var wrongSecret = await TokenAsync(http, tenant, code, verifier, secret: "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(wrongSecret));
        Assert.NotEmpty(wrongSecret.Headers.WwwAuthenticate);

        var wrongRedirect = await TokenAsync(http, tenant, code, verifier, redirectUri: Callback + "/other");
        Assert.Equal("invalid_grant", await ErrorAsync(wrongRedirect));
        // That attempt spent the code: even the right request fails now.
        var spent = await TokenAsync(http, tenant, code, verifier);
        Assert.Equal(HttpStatusCode.BadRequest, spent.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(spent));

        var (second, secondVerifier) = await CodeAsync(tenant);
        // Another valid-looking verifier: its first character changed (always a different one, whatever the random verifier holds).
        var wrongVerifier = (secondVerifier[0] == 'a' ? 'b' : 'a') + secondVerifier[1..];
        Assert.NotEqual(secondVerifier, wrongVerifier);
        Assert.Equal("invalid_grant", await ErrorAsync(await TokenAsync(http, tenant, second, wrongVerifier, secret: null)));

        var (third, thirdVerifier) = await CodeAsync(tenant);
        var publicClient = await TokenAsync(http, tenant, third, thirdVerifier, secret: null);
        Assert.Equal(HttpStatusCode.OK, publicClient.StatusCode);
        var tokens = await publicClient.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("openid profile phone", tokens.GetProperty("scope").GetString());

        using var userinfo = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{tenant.PoolId}/userinfo");
        userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        var claims = await (await http.SendAsync(userinfo)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Mei", claims.GetProperty("name").GetString());
        var anonymous = await http.GetAsync($"/oidc/{tenant.PoolId}/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_code_issued_without_PKCE_needs_the_secret_and_another_pool_cannot_redeem_it()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var (code, _) = await CodeAsync(tenant, pkce: false);
        Assert.Equal("invalid_client", await ErrorAsync(await TokenAsync(http, tenant, code, null, secret: null)));

        var (another, _) = await CodeAsync(tenant, pkce: false);
        var other = await TenantAsync();
        var crossPool = await TokenAsync(http, other with { AppId = tenant.AppId, AppSecret = tenant.AppSecret }, another, null);
        Assert.Equal("invalid_client", await ErrorAsync(crossPool));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(http, tenant, another, null)).StatusCode);
    }

    [Fact]
    public async Task A_pool_that_exchanges_only_on_backends_still_logs_in_but_needs_the_client_secret_for_the_code()
    {
        var tenant = await TenantAsync();
        await system.Grains.GetGrain<IUserPoolGrain>(tenant.PoolId).SaveSettingsAsync(new UserPoolSettings(tenant.PoolId, "Pool", BrowserExchangeDisabled: true));
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var (code, verifier) = await CodeAsync(tenant);
        Assert.Equal("invalid_client", await ErrorAsync(await TokenAsync(http, tenant, code, verifier, secret: null)));
        var (second, secondVerifier) = await CodeAsync(tenant);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(http, tenant, second, secondVerifier)).StatusCode);
    }

    [Fact]
    public async Task Discovery_lists_the_hosted_login_endpoints()
    {
        var tenant = await TenantAsync();
        var document = await system.A.GetFromJsonAsync<JsonElement>($"/oidc/{tenant.PoolId}/.well-known/openid-configuration");
        var issuer = document.GetProperty("issuer").GetString();
        Assert.Equal(issuer + "/authorize", document.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(issuer + "/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal(issuer + "/userinfo", document.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(["S256"], document.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    private async Task<Tenant> TenantAsync()
    {
        var tenant = await system.CreateTenantAsync();
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { CallbackUrls = [Callback] }, null);
        return tenant;
    }

    /// <summary>A whole login over HTTP: authorize, the page (for its ticket), the phone's scan and confirm, then complete.</summary>
    private async Task<(string Code, string Verifier)> CodeAsync(Tenant tenant, bool pkce = true, string? avatarUrl = null, string? scope = null)
    {
        using var browser = Browser();
        var verifier = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "abcdefghijk";
        var extra = pkce ? new Dictionary<string, string?> { ["code_challenge"] = LoginDriver.Challenge(verifier), ["code_challenge_method"] = "S256" } : [];
        if (scope is not null) extra["scope"] = scope;
        var started = await browser.GetAsync(AuthorizeUrl(tenant, extra, pkce));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var loginPage = started.Headers.Location!.ToString();
        var html = await browser.GetStringAsync(loginPage);
        var ticketId = TicketInPage().Match(html).Groups[1].Value;
        var openId = await system.Emulator.CreateUserAsync();
        var loginCode = await system.Emulator.LoginCodeAsync(openId);
        var scan = avatarUrl is null ? await Api.ScanOkAsync(system.B, ticketId, loginCode)
            : (await (await system.B.PostAsJsonAsync($"/api/mini-program/tickets/{ticketId}/scan", new { loginCode, nickname = "Mei", avatarUrl }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<ScanResponse>())!;
        (await Api.ConfirmAsync(system.B, ticketId, scan.ScanToken)).EnsureSuccessStatusCode();
        var completed = await browser.GetAsync(loginPage + "/complete");
        Assert.Equal(HttpStatusCode.Redirect, completed.StatusCode);
        return (QueryHelpers.ParseQuery(completed.Headers.Location!.Query)["code"].ToString(), verifier);
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient http, Tenant tenant, string code, string? verifier, string? secret = "",
        string redirectUri = Callback)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        if (verifier is not null) form["code_verifier"] = verifier;
        var request = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{tenant.PoolId}/token") { Content = new FormUrlEncodedContent(form) };
        if (secret is null) form["client_id"] = tenant.AppId;
        else request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant.AppId}:{(secret == "" ? tenant.AppSecret : secret)}")));
        request.Content = new FormUrlEncodedContent(form);
        return http.SendAsync(request);
    }

    /// <summary>The login's request id: the last segment of its login page's address.</summary>
    private static string RequestIdOf(string loginPage) => loginPage[(loginPage.LastIndexOf('/') + 1)..];

    private string AuthorizeUrl(Tenant tenant, Dictionary<string, string?> overrides, bool pkce = true)
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = tenant.AppId, ["redirect_uri"] = Callback, ["scope"] = "openid profile phone",
            ["state"] = "st", ["nonce"] = "n",
        };
        if (pkce) (query["code_challenge"], query["code_challenge_method"]) = (LoginDriver.Challenge("v".PadRight(43, 'v')), "S256");
        foreach (var (key, value) in overrides) query[key] = value;
        return QueryHelpers.AddQueryString(new Uri(system.A.BaseAddress!, $"oidc/{tenant.PoolId}/authorize").ToString(), query);
    }

    /// <summary>A browser that keeps cookies and shows redirects instead of following them.</summary>
    private HttpClient Browser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = system.A.BaseAddress };

    [GeneratedRegex("/api/tickets/([A-Za-z0-9_-]{22})/qr\\.png")]
    private static partial Regex TicketInPage();
}
