using Microsoft.AspNetCore.Http;
using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// The security headers of every hosted-login page (<see cref="LoginPageHeaders"/>): framing only by the
/// application's allowed origins (none: <c>frame-ancestors 'none'</c>), only bare origins enter the policy, no
/// referrer, no sniffing, no caching.
/// </summary>
public sealed class LoginPageHeadersTests
{
    private static IHeaderDictionary Apply(IEnumerable<string>? ancestors = null, string? image = null, string? form = null)
    {
        var context = new DefaultHttpContext();
        LoginPageHeaders.Apply(context.Response, ancestors, image, form);
        return context.Response.Headers;
    }

    private static string Directive(IHeaderDictionary headers, string name) =>
        headers.ContentSecurityPolicy.ToString().Split("; ").Single(d => d.StartsWith(name + " ", StringComparison.Ordinal));

    [Fact]
    public void A_page_of_an_application_with_no_allowed_origins_cannot_be_framed()
    {
        Assert.Equal("frame-ancestors 'none'", Directive(Apply(), "frame-ancestors"));
        Assert.Equal("frame-ancestors 'none'", Directive(Apply([]), "frame-ancestors"));
        // Origins that are not bare origins are dropped, and with them gone nothing may frame the page.
        Assert.Equal("frame-ancestors 'none'", Directive(Apply(["https://shop.example/path", "*"]), "frame-ancestors"));
    }

    [Fact]
    public void Only_the_allowed_bare_origins_may_frame_the_page()
    {
        var headers = Apply(["https://shop.example", "https://shop.example; script-src *", "http://127.0.0.1:5002"]);

        Assert.Equal("frame-ancestors https://shop.example http://127.0.0.1:5002", Directive(headers, "frame-ancestors"));
    }

    [Fact]
    public void The_policy_allows_scripts_styles_and_calls_from_this_origin_only()
    {
        var headers = Apply();

        Assert.Equal(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: https:; " +
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            headers.ContentSecurityPolicy.ToString());
    }

    [Fact]
    public void An_extra_image_source_and_a_form_target_enter_the_policy_only_as_bare_origins()
    {
        var good = Apply(image: "http://127.0.0.1:5003", form: "https://shop.example");
        Assert.Equal("img-src 'self' data: https: http://127.0.0.1:5003", Directive(good, "img-src"));
        Assert.Equal("form-action https://shop.example", Directive(good, "form-action"));

        var bad = Apply(image: "http://127.0.0.1:5003/x; script-src *", form: "https://shop.example/callback");
        Assert.Equal("img-src 'self' data: https:", Directive(bad, "img-src"));
        Assert.Equal("form-action 'self'", Directive(bad, "form-action"));
    }

    [Fact]
    public void A_login_page_is_never_cached_sniffed_or_named_in_a_referrer()
    {
        var headers = Apply();

        Assert.Equal("no-referrer", headers["Referrer-Policy"].ToString());
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());
        Assert.Equal("no-store", headers.CacheControl.ToString());
    }

    [Theory]
    [InlineData("https://shop.example/", true)]
    [InlineData("HTTPS://Shop.Example", true)]
    [InlineData("ftp://shop.example", false)]
    [InlineData("https://shop.example,https://evil.example", false)]
    [InlineData("https://shop.example\"", false)]
    [InlineData("shop.example", false)]
    // User info is part of the authority (Uri keeps ; , and ' there unescaped): only the character filter keeps them out.
    [InlineData("https://x;y@shop.example", false)]
    [InlineData("https://x,y@shop.example", false)]
    [InlineData("https://x'y@shop.example", false)]
    [InlineData("https://xy@shop.example", true)]
    // A header value must be ASCII (Kestrel refuses anything else with a 500): a Unicode host stays out of the policy.
    [InlineData("https://b\u00fccher.example", false)]
    public void A_bare_origin_is_an_http_or_https_scheme_and_authority_without_policy_punctuation(string origin, bool allowed) =>
        Assert.Equal(allowed, LoginPageHeaders.IsPlainOrigin(origin));

    [Theory]
    [InlineData("https://shop.example/callback?x=1", "https://shop.example")]
    [InlineData("http://127.0.0.1:5002/cb", "http://127.0.0.1:5002")]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("/relative/path", null)]
    [InlineData(null, null)]
    public void The_origin_of_a_redirect_uri_is_its_scheme_and_authority(string? url, string? origin) =>
        Assert.Equal(origin, LoginPageHeaders.OriginOf(url));
}
