using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The hosted page's language choice and the origins allowed into its security policy.</summary>
public sealed class HostedLoginPageTests
{
    [Theory]
    [InlineData("zh-TW en", null, "zh-CN")]
    [InlineData("en zh-CN", "zh-CN", "en")]
    [InlineData("fr", "zh-CN,zh;q=0.9", "zh-CN")]
    [InlineData(null, "fr;q=1, en;q=0.5, zh;q=0.8", "zh-CN")]
    [InlineData(null, "zh;q=0, en", "en")]
    [InlineData(null, "de-DE", "en")]
    [InlineData(null, null, "en")]
    public void The_language_is_the_first_supported_one_of_ui_locales_then_Accept_Language(string? uiLocales, string? acceptLanguage, string expected) =>
        Assert.Equal(expected, LoginText.Resolve(uiLocales, acceptLanguage));

    [Theory]
    [InlineData("https://shop.example", true)]
    [InlineData("http://127.0.0.1:5002", true)]
    [InlineData("https://shop.example/path", false)]
    [InlineData("https://shop.example; script-src *", false)]
    [InlineData("https://shop.example 'unsafe-inline'", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("*", false)]
    public void Only_a_bare_origin_may_enter_the_content_security_policy(string origin, bool allowed) =>
        Assert.Equal(allowed, LoginPageHeaders.IsPlainOrigin(origin));

    [Fact]
    public void Both_languages_have_every_text() =>
        Assert.All(typeof(LoginText).GetProperties().Where(p => p.PropertyType == typeof(string)),
            p => Assert.False(string.IsNullOrWhiteSpace((string?)p.GetValue(LoginText.Zh)) || string.IsNullOrWhiteSpace((string?)p.GetValue(LoginText.En)), p.Name));
}
