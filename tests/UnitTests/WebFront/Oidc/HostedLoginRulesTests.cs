using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// The hosted login's rules reachable without HTTP: which ids may be looked up, how a lost login is told to the page's
/// script, where the pool's endpoints are on the request's host, unreadable forms, and what the server-rendered pages hold.
/// </summary>
public sealed class HostedLoginRulesTests
{
    private static readonly LoginText En = LoginText.En;
    private static readonly LoginTheme NoTheme = new(null, null, null);

    [Theory]
    [InlineData("a", true)]
    [InlineData("pool-1_A.b9", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("a%2F", false)]
    [InlineData("\u00e4", false)]
    [InlineData("\u0661", false)]
    public void A_pool_or_client_id_is_ascii_letters_digits_dash_underscore_and_dot(string? id, bool safe) =>
        Assert.Equal(safe, HostedLoginApi.IsSafeId(id));

    [Fact]
    public void A_pool_or_client_id_is_at_most_64_characters()
    {
        Assert.True(HostedLoginApi.IsSafeId(new string('a', 64)));
        Assert.False(HostedLoginApi.IsSafeId(new string('a', 65)));
    }

    [Fact]
    public void A_login_started_in_another_browser_is_a_403_with_the_failures_own_code_and_message()
    {
        var problem = HostedLoginApi.LoginProblem(new Failure(AuthorizationFailures.OtherBrowser, "Started elsewhere."));

        Assert.Equal(403, problem.StatusCode);
        Assert.Equal(AuthorizationFailures.OtherBrowser, problem.ProblemDetails.Extensions["code"]);
        Assert.Equal("Started elsewhere.", problem.ProblemDetails.Detail);
    }

    [Fact]
    public void Any_other_lost_login_is_a_404_request_not_found_with_its_message_or_the_timed_out_one()
    {
        var expired = HostedLoginApi.LoginProblem(new Failure(AuthorizationFailures.AlreadyCompleted, "This login is already completed."));
        Assert.Equal(404, expired.StatusCode);
        Assert.Equal(AuthorizationFailures.RequestNotFound, expired.ProblemDetails.Extensions["code"]);
        Assert.Equal("This login is already completed.", expired.ProblemDetails.Detail);

        var unknown = HostedLoginApi.LoginProblem(null);
        Assert.Equal(404, unknown.StatusCode);
        Assert.Equal(AuthorizationFailures.RequestNotFound, unknown.ProblemDetails.Extensions["code"]);
        Assert.Equal("This login has timed out.", unknown.ProblemDetails.Detail);
    }

    [Fact]
    public async Task An_error_page_is_sent_with_its_status_and_the_login_pages_security_headers()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();

        await HostedLoginApi.ErrorPage(En, 403, En.OtherBrowser).ExecuteAsync(http);

        Assert.Equal(403, http.Response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", http.Response.ContentType);
        Assert.StartsWith("default-src 'none';", http.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("no-store", http.Response.Headers.CacheControl.ToString());
        Assert.Contains(En.OtherBrowser, Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [Fact]
    public void On_the_pools_own_host_the_issuer_is_that_hosts_and_the_endpoints_are_at_its_root()
    {
        var http = new DefaultHttpContext();
        http.Features.Set(new PoolHostMatch("pool-1", "https://pool-1.login.example"));

        Assert.Equal("https://pool-1.login.example", OidcIssuer.HostIssuerOf(http, "pool-1"));
        Assert.Equal("https://pool-1.login.example", OidcIssuer.For(http, "pool-1", "https://scanlogin.example/oidc/pool-1"));
        Assert.Equal("", OidcIssuer.PathOf(http, "pool-1"));
    }

    [Fact]
    public void Elsewhere_the_issuer_and_the_endpoints_are_the_path_form_of_the_pool()
    {
        var plain = new DefaultHttpContext();
        Assert.Null(OidcIssuer.HostIssuerOf(plain, "pool-1"));
        Assert.Equal("https://scanlogin.example/oidc/pool-1", OidcIssuer.For(plain, "pool-1", "https://scanlogin.example/oidc/pool-1"));
        Assert.Equal("/oidc/pool-1", OidcIssuer.PathOf(plain, "pool-1"));

        // Another pool's host is not this pool's: its issuer never stands for this pool.
        var otherHost = new DefaultHttpContext();
        otherHost.Features.Set(new PoolHostMatch("pool-2", "https://pool-2.login.example"));
        Assert.Null(OidcIssuer.HostIssuerOf(otherHost, "pool-1"));
        Assert.Equal("https://scanlogin.example/oidc/pool-1", OidcIssuer.For(otherHost, "pool-1", "https://scanlogin.example/oidc/pool-1"));
        Assert.Equal("/oidc/pool-1", OidcIssuer.PathOf(otherHost, "pool-1"));
    }

    [Fact]
    public async Task A_form_body_that_cannot_be_read_is_no_form_rather_than_an_exception()
    {
        var http = new DefaultHttpContext();
        // Multipart without a boundary cannot be parsed (InvalidDataException).
        http.Request.ContentType = "multipart/form-data";
        http.Request.Body = new MemoryStream("--x\r\n"u8.ToArray());

        Assert.Null(await OidcForms.TryReadAsync(http.Request));

        var readable = new DefaultHttpContext();
        readable.Request.ContentType = "application/x-www-form-urlencoded";
        readable.Request.Body = new MemoryStream("client_id=app-1"u8.ToArray());
        Assert.Equal("app-1", (await OidcForms.TryReadAsync(readable.Request))!["client_id"].ToString());
    }

    [Fact]
    public void The_branding_title_wins_over_the_default_title()
    {
        var branded = LoginPages.Login(En, Model() with { Branding = Branding(title: "Shop sign-in") });
        Assert.Contains("<title>Shop sign-in</title>", branded);
        Assert.Contains("<h1 id=\"title\">Shop sign-in</h1>", branded);

        var plain = LoginPages.Login(En, Model());
        var title = System.Text.Encodings.Web.HtmlEncoder.Default.Encode(string.Format(En.Title, "Shop"));
        Assert.Contains($"<title>{title}</title>", plain);
    }

    [Fact]
    public void The_login_pages_script_finds_its_endpoints_under_the_logins_base_path()
    {
        var data = LoginData(LoginPages.Login(En, Model()));

        Assert.Equal("/oidc/pool-1/login/req-1/renew", data.GetProperty("renewUrl").GetString());
        Assert.Equal("/oidc/pool-1/login/req-1/complete", data.GetProperty("completeUrl").GetString());
        Assert.Equal("/oidc/pool-1/login/req-1/binding", data.GetProperty("bindingUrl").GetString());
        Assert.Equal("ticket-1", data.GetProperty("ticketId").GetString());
    }

    [Fact]
    public void Each_page_loads_its_own_script()
    {
        Assert.Contains("<script src=\"/oidc/assets/login.js\" defer></script>", LoginPages.Login(En, Model()));
        Assert.Contains("<script src=\"/oidc/assets/popup.js\" defer></script>",
            LoginPages.PopupResult(En, "https://site.example", new Dictionary<string, string?> { ["code"] = "c" }));
        Assert.Contains("<script src=\"/oidc/assets/form-post.js\" defer></script>",
            LoginPages.FormPost(En, "https://site.example/cb", new Dictionary<string, string?> { ["code"] = "c" }));
    }

    [Fact]
    public void A_branded_page_links_the_branding_stylesheet_after_the_default_one()
    {
        var html = LoginPages.Login(En, Model() with { Branding = Branding(stylesheet: "/oidc/pool-1/branding/app-1.css?v=3&x") });

        Assert.Contains("<link rel=\"stylesheet\" href=\"/oidc/assets/login.css\">\n<link rel=\"stylesheet\" href=\"/oidc/pool-1/branding/app-1.css?v=3&amp;x\">",
            html.ReplaceLineEndings("\n"));
        Assert.Single(Regex.Matches(LoginPages.Login(En, Model()), "rel=\"stylesheet\""));
    }

    [Fact]
    public void An_error_page_has_no_script_no_extra_stylesheet_and_nothing_but_its_message()
    {
        var html = LoginPages.Error(En, "Gone.");

        // Between the default stylesheet and the end of the head there is nothing at all.
        Assert.Matches(new Regex("login\\.css\">\\s*</head>"), html);
        Assert.Matches(new Regex("role=\"alert\">Gone\\.</p>\\s*</main>"), html);
        Assert.Matches(new Regex("role=\"alert\">Gone\\.</p>\\s*<p class=\"detail\"><code>invalid_request</code></p>\\s*</main>"),
            LoginPages.Error(En, "Gone.", "invalid_request"));
    }

    [Fact]
    public void Without_a_logo_or_a_phone_the_page_shows_neither_and_nothing_in_their_place()
    {
        var html = LoginPages.Login(En, Model());

        Assert.Matches(new Regex("<header class=\"app\">\\s*<h1 "), html);
        Assert.Matches(new Regex("id=\"veil\" hidden>\\s*<button[^>]*>[^<]*</button>\\s*</div>\\s*</div>\\s*<div class=\"scanner\""), html);

        var withLogo = LoginPages.Login(En, Model() with { AppLogoUrl = "https://cdn.example/logo.png", OnPhone = true });
        Assert.Contains("<img class=\"app-logo\" src=\"https://cdn.example/logo.png\"", withLogo);
        Assert.Contains("id=\"open-in-wechat\"", withLogo);
    }

    [Fact]
    public void Values_embedded_as_json_cannot_close_the_script_element()
    {
        var html = LoginPages.PopupResult(En, "https://site.example", new Dictionary<string, string?> { ["state"] = "</script><script>alert(1)</script>" });

        Assert.DoesNotContain("</script><script>alert", html);
        var data = Regex.Match(html, "<script id=\"popup-data\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal("</script><script>alert(1)</script>", JsonDocument.Parse(data).RootElement.GetProperty("result").GetProperty("state").GetString());
    }

    private static LoginPageModel Model() => new("/oidc/pool-1/login/req-1", "Shop", null, "WeChat", "ticket-1", "sse");

    private static LoginBranding Branding(string? title = null, string stylesheet = "/oidc/pool-1/branding/app-1.css") =>
        new(title, null, NoTheme, NoTheme, "1", stylesheet);

    private static JsonElement LoginData(string html) => JsonDocument.Parse(
        Regex.Match(html, "<script id=\"login-data\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value).RootElement;
}
