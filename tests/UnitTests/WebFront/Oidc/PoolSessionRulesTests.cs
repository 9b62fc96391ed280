using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The pure rules of the pool session: prompt and max_age as the client sent them, the session cookie, a refresh token's family.</summary>
public sealed class PoolSessionRulesTests
{
    [Theory]
    [InlineData(null, false, false)]
    [InlineData("", false, false)]
    [InlineData("none", true, false)]
    [InlineData("login", false, true)]
    [InlineData("consent", false, false)]
    [InlineData("select_account", false, false)]
    [InlineData("login  consent select_account", false, true)]
    public void Each_prompt_value_of_OpenID_Connect_is_understood_and_none_and_login_are_read(string? prompt, bool none, bool login)
    {
        var asked = SessionSignIn.Read(prompt, null);
        Assert.Null(asked.Error);
        Assert.Equal(none, asked.None);
        Assert.Equal(login, asked.Login);
        Assert.Null(asked.MaxAgeSeconds);
    }

    [Theory]
    [InlineData("none login")]
    [InlineData("consent none")]
    [InlineData("none none")]
    public void Prompt_none_with_any_other_value_is_an_error(string prompt)
    {
        var asked = SessionSignIn.Read(prompt, null);
        Assert.Equal("prompt=none cannot be combined with other values.", asked.Error);
        Assert.False(asked.None);
        Assert.False(asked.Login);
        Assert.Null(asked.MaxAgeSeconds);
    }

    [Theory]
    [InlineData("None")]
    [InlineData("create")]
    [InlineData("login,consent")]
    public void An_unknown_prompt_value_is_an_error(string prompt) =>
        Assert.Equal("Unknown prompt value.", SessionSignIn.Read(prompt, "5").Error);

    [Theory]
    [InlineData("none create", null)]
    [InlineData("login create", "5")]
    [InlineData("none", "-1")]
    [InlineData("login", "x")]
    public void A_refused_prompt_or_max_age_asks_for_neither_none_nor_login_nor_a_max_age(string prompt, string? maxAge)
    {
        // A refusal must not be half read: the authorize endpoint answers the error, never a silent sign-in or a forced QR.
        var asked = SessionSignIn.Read(prompt, maxAge);
        Assert.NotNull(asked.Error);
        Assert.False(asked.None);
        Assert.False(asked.Login);
        Assert.Null(asked.MaxAgeSeconds);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("300", 300)]
    [InlineData("2147483647", int.MaxValue)]
    public void Max_age_is_a_whole_number_of_seconds_zero_included(string maxAge, int seconds)
    {
        var asked = SessionSignIn.Read("login", maxAge);
        Assert.Null(asked.Error);
        Assert.Equal(seconds, asked.MaxAgeSeconds);
        Assert.True(asked.Login);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("5.0")]
    [InlineData("1e3")]
    [InlineData("2147483648")]
    public void Max_age_that_is_not_a_non_negative_number_is_an_error(string maxAge)
    {
        var asked = SessionSignIn.Read(null, maxAge);
        Assert.Equal("max_age must be a non-negative number of seconds.", asked.Error);
        Assert.Null(asked.MaxAgeSeconds);
        Assert.False(asked.None);
        Assert.False(asked.Login);
    }

    [Fact]
    public void The_session_cookie_is_named_for_its_pool_and_is_http_only_lax_path_wide_and_secure_over_https()
    {
        Assert.Equal("scanlogin_session_pool-a", PoolSessionCookie.NameOf("pool-a"));
        var expires = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

        var https = new DefaultHttpContext { Request = { Scheme = "https" } };
        PoolSessionCookie.Write(https, "pool-a", new SessionOpened("token-1", expires));
        var cookie = SetCookie(https);
        Assert.Equal("scanlogin_session_pool-a", cookie.Name.Value);
        Assert.Equal("token-1", cookie.Value.Value);
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, cookie.SameSite);
        Assert.Equal("/", cookie.Path.Value);
        Assert.Equal(expires, cookie.Expires);
        // Host-only: a Domain attribute would hand the cookie to every pool host under it.
        Assert.Null(cookie.Domain.Value);

        var http = new DefaultHttpContext { Request = { Scheme = "http" } };
        PoolSessionCookie.Write(http, "pool-a", new SessionOpened("token-1", expires));
        Assert.False(SetCookie(http).Secure);

        var deleted = new DefaultHttpContext { Request = { Scheme = "https" } };
        PoolSessionCookie.Delete(deleted, "pool-a");
        var gone = SetCookie(deleted);
        Assert.Equal("scanlogin_session_pool-a", gone.Name.Value);
        Assert.True(gone.Expires < expires);
        Assert.Equal("/", gone.Path.Value);
        Assert.True(gone.Secure);
    }

    [Fact]
    public async Task The_session_cookie_is_essential_so_a_consent_policy_that_holds_back_other_cookies_still_sets_and_deletes_it()
    {
        // The session is what signs the user in at all: a site-wide consent banner must not silently turn it off.
        var policy = Options.Create(new CookiePolicyOptions { CheckConsentNeeded = _ => true });
        var expires = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
        async Task<string[]> SetCookiesAsync(Action<HttpContext> write)
        {
            var http = new DefaultHttpContext { Request = { Scheme = "https" } };
            await new CookiePolicyMiddleware(context => { write(context); return Task.CompletedTask; }, policy, NullLoggerFactory.Instance).Invoke(http);
            return http.Response.Headers.SetCookie.ToArray()!;
        }

        // The policy is in force: a cookie that is not essential is held back.
        Assert.Empty(await SetCookiesAsync(http => http.Response.Cookies.Append("other", "x", new CookieOptions())));
        var written = SetCookieHeaderValue.Parse(Assert.Single(await SetCookiesAsync(http => PoolSessionCookie.Write(http, "pool-a", new SessionOpened("token-1", expires)))));
        Assert.Equal("scanlogin_session_pool-a", written.Name.Value);
        Assert.Equal("token-1", written.Value.Value);
        var deleted = SetCookieHeaderValue.Parse(Assert.Single(await SetCookiesAsync(http => PoolSessionCookie.Delete(http, "pool-a"))));
        Assert.Equal("scanlogin_session_pool-a", deleted.Name.Value);
        Assert.True(deleted.Expires < expires);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Only_a_session_cookie_of_1_to_64_characters_is_read(int length, bool read)
    {
        var http = new DefaultHttpContext();
        var token = new string('t', length);
        http.Request.Headers.Cookie = $"scanlogin_session_pool-a={token}; scanlogin_session_pool-b=other";
        Assert.Equal(read ? token : null, PoolSessionCookie.Read(http, "pool-a"));
        Assert.Equal("other", PoolSessionCookie.Read(http, "pool-b"));
        Assert.Null(PoolSessionCookie.Read(http, "pool-c"));
    }

    [Fact]
    public void A_refresh_token_names_its_family_only_when_it_is_a_well_formed_id_a_dot_and_a_secret_of_at_most_128_characters()
    {
        var family = Secrets.NewId();
        Assert.Equal(family, OidcRefreshGrant.FamilyOf($"{family}.secret"));
        var longest = $"{family}." + new string('s', 128 - family.Length - 1);
        Assert.Equal(128, longest.Length);
        Assert.Equal(family, OidcRefreshGrant.FamilyOf(longest));
        Assert.Null(OidcRefreshGrant.FamilyOf(longest + "s"));
        Assert.Null(OidcRefreshGrant.FamilyOf(null));
        Assert.Null(OidcRefreshGrant.FamilyOf(family));
        Assert.Null(OidcRefreshGrant.FamilyOf($"{family}."));
        Assert.Null(OidcRefreshGrant.FamilyOf($"{family}.a.b"));
        Assert.Null(OidcRefreshGrant.FamilyOf($"{family[..^1]}.secret"));
        Assert.Null(OidcRefreshGrant.FamilyOf($"{family[..^1]}!.secret"));
    }

    private static SetCookieHeaderValue SetCookie(HttpContext http) =>
        SetCookieHeaderValue.Parse(Assert.Single(http.Response.Headers.SetCookie.ToArray())!);
}
