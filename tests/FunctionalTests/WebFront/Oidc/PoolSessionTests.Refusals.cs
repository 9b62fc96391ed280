using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.OAuthAnswers;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>What revocation, refresh and end_session answer word for word, and the edges of their limits.</summary>
public sealed partial class PoolSessionTests
{
    [Fact]
    public async Task Revocation_lets_any_origin_post_with_the_authorization_and_content_type_headers()
    {
        var pool = await PoolAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/oidc/{pool.PoolId}/revoke");
        preflight.Headers.Add("Origin", "https://spa.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        var response = await http.SendAsync(preflight);

        Assert.True(response.IsSuccessStatusCode, $"the preflight answered {(int)response.StatusCode}");
        Assert.True(response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins), "the preflight was not allowed");
        Assert.Equal("*", string.Join(",", origins));
        Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")).Split(',', StringSplitOptions.TrimEntries));
        var headers = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).Split(',', StringSplitOptions.TrimEntries)
            .Select(h => h.ToLowerInvariant()).ToArray();
        Assert.Contains("authorization", headers);
        Assert.Contains("content-type", headers);
    }

    [Fact]
    public async Task Revocation_says_exactly_why_it_refuses_and_a_client_id_is_at_most_64_characters()
    {
        var pool = await PoolAsync();
        var other = await system.CreateTenantAsync();
        // A client whose id has the longest allowed length, in this pool.
        var longest = "app-" + Guid.NewGuid().ToString("N") + new string('x', 64 - 36);
        Assert.Equal(64, longest.Length);
        await system.Grains.GetGrain<IApplicationGrain>(longest).SaveAsync(new ApplicationSettings(longest, pool.PoolId, "Longest", null, [], [LogoutA]), "longest-secret");
        var path = $"/oidc/{pool.PoolId}/revoke";
        var basic = Basic(pool.AppA, pool.SecretA);
        const string accessTokenText = "Access tokens are self-contained JWTs, valid until they expire; revoke the refresh token instead.";

        using var json = new HttpClient { BaseAddress = system.A.BaseAddress };
        var notForm = await json.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { token = "t" }), Headers = { Authorization = basic } });
        Assert.Equal((400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded."), await RefusalAsync(notForm));

        var refusals = new (HttpResponseMessage Response, (int, string, string) Expected)[]
        {
            (await PostAsync(path, [new("token", "a"), new("token", "b")], basic), (400, "invalid_request", "token is repeated.")),
            (await PostAsync(path, [new("token", "t"), new("client_secret", pool.SecretA)], basic), (400, "invalid_request", "Use one client authentication method.")),
            (await PostAsync(path, [new("token", "t")], null), (401, "invalid_client", "client_id is required.")),
            (await PostAsync(path, [new("token", "t")], Basic("", "secret")), (401, "invalid_client", "client_id is required.")),
            (await PostAsync(path, [new("token", "t"), new("client_id", longest + "x")], null), (401, "invalid_client", "client_id is required.")),
            (await PostAsync(path, [new("token", "t"), new("client_id", "app-" + Guid.NewGuid().ToString("N"))], null), (401, "invalid_client", "Unknown client.")),
            (await PostAsync(path, [new("token", "t")], Basic(other.AppId, other.AppSecret)), (401, "invalid_client", "Unknown client.")),
            (await PostAsync(path, [new("token", "t")], Basic(pool.AppA, "wrong-secret")), (401, "invalid_client", "Client authentication failed.")),
            (await PostAsync(path, [new("token_type_hint", "refresh_token")], basic), (400, "invalid_request", "token is required.")),
            (await PostAsync(path, [new("token", "a.b.c")], basic), (400, "unsupported_token_type", accessTokenText)),
            (await PostAsync(path, [new("token", "t"), new("token_type_hint", "access_token")], basic), (400, "unsupported_token_type", accessTokenText)),
        };
        foreach (var (response, expected) in refusals) Assert.Equal(expected, await RefusalAsync(response));

        // 64 characters are an id: that client is known and revokes (an unknown token answers 200, RFC 7009 2.2).
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(path, [new("token", "t")], Basic(longest, "longest-secret"))).StatusCode);
    }

    [Fact]
    public async Task Revocation_at_a_pool_id_that_is_no_safe_id_knows_no_client_whatever_the_store_holds()
    {
        // Pool ids are safe ids; a route naming anything else is no pool, even if some application claims it.
        var unsafePool = "pool!" + Guid.NewGuid().ToString("N")[..8];
        var appId = "app-" + Guid.NewGuid().ToString("N")[..8];
        await system.Grains.GetGrain<IApplicationGrain>(appId).SaveAsync(new ApplicationSettings(appId, unsafePool, "Unsafe", null, [], [LogoutA]), "unsafe-secret");
        var refused = await PostAsync($"/oidc/{unsafePool}/revoke", [new("token", "t")], Basic(appId, "unsafe-secret"));
        Assert.Equal((401, "invalid_client", "Unknown client."), await RefusalAsync(refused));
    }

    [Fact]
    public async Task A_refresh_token_whose_user_is_of_another_pool_is_refused_at_this_pools_token_endpoint()
    {
        var pool = await PoolAsync();
        var otherPool = await PoolAsync();
        using var browser = Browser();
        var otherUser = new JsonWebToken((await TokensOfAAsync(browser, otherPool)).GetProperty("id_token").GetString()).Subject;
        // A family naming this pool's client but the other pool's user: the token endpoint must not mint this pool's tokens for it.
        var started = await system.Grains.GetGrain<IRefreshTokenGrain>(Secrets.NewId()).StartAsync(new RefreshFamilyStart(otherPool.PoolId, pool.AppA, otherUser,
            ["openid", "offline_access"], system.Time.GetUtcNow(), Tenant.Source, [TokenRequest.WeChatScanMethod], true));
        Assert.Equal((400, "invalid_grant", "The refresh token belongs to another user pool."),
            await RefusalAsync(await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, started.Value!)));
    }

    [Fact]
    public async Task A_malformed_refresh_token_is_refused_as_invalid_expired_or_revoked()
    {
        var pool = await PoolAsync();
        Assert.Equal((400, "invalid_grant", "The refresh token is invalid, expired or revoked."),
            await RefusalAsync(await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, "not-a-token")));
    }

    [Fact]
    public async Task End_session_posted_with_only_a_query_reads_the_query_and_a_get_never_reads_a_body()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        // A POST without a form body: its parameters are the query's (here the page's language).
        var posted = await browser.PostAsync(EndSessionUrl(pool.PoolId, new() { ["ui_locales"] = "zh-CN" }), null);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("<html lang=\"zh-CN\">", await posted.Content.ReadAsStringAsync());

        // A GET with a form body: the body is not the request; the query's repeated state is refused.
        var get = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/oidc/{pool.PoolId}/end_session?state=a&state=b")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["state"] = "c" }),
        });
        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
    }

    [Fact]
    public async Task End_session_pages_are_utf8_html_in_the_language_ui_locales_asks_for()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var chinese = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["ui_locales"] = "zh-CN" }));
        Assert.Equal(HttpStatusCode.OK, chinese.StatusCode);
        Assert.Equal("text/html; charset=utf-8", chinese.Content.Headers.ContentType?.ToString());
        var page = await chinese.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"zh-CN\">", page);
        Assert.Contains("你已退出登录。", WebUtility.HtmlDecode(page));

        var english = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["ui_locales"] = "en" }));
        Assert.Contains("You are signed out.", await english.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task End_session_returns_to_a_client_id_of_64_characters()
    {
        var pool = await PoolAsync();
        var longest = "app-" + Guid.NewGuid().ToString("N") + new string('x', 64 - 36);
        await system.Grains.GetGrain<IApplicationGrain>(longest).SaveAsync(new ApplicationSettings(longest, pool.PoolId, "Longest", null, [], [LogoutA]), "longest-secret");
        using var browser = Browser();

        var ended = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["client_id"] = longest, ["post_logout_redirect_uri"] = LogoutA, ["state"] = "s" }));
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Equal($"{LogoutA}?state=s", ended.Headers.Location!.ToString());
        var tooLong = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["client_id"] = longest + "x", ["post_logout_redirect_uri"] = LogoutA }));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task End_session_ends_the_session_in_the_pool_so_a_copy_of_the_old_cookie_signs_in_no_more()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var idToken = (await TokensOfAAsync(browser, pool)).GetProperty("id_token").GetString()!;
        var copy = SessionCookie(browser, pool)!;

        var ended = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = LogoutA }));
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        // Deleting the browser's cookie is not enough: whoever kept its value must find the session gone.
        using var thief = Browser();
        _jars[thief].Add(system.A.BaseAddress!, new Cookie(copy.Name, copy.Value, "/"));
        Assert.Equal("login_required", await ErrorOfAsync(thief, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
    }

    [Fact]
    public async Task End_sessions_question_carries_every_parameter_of_the_request_on_to_the_confirmation()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        using var otherBrowser = Browser();
        var otherIdToken = (await TokensOfAAsync(otherBrowser, pool)).GetProperty("id_token").GetString()!;

        var asked = await browser.GetAsync(EndSessionUrl(pool.PoolId, new()
        {
            ["id_token_hint"] = otherIdToken, ["client_id"] = pool.AppA, ["post_logout_redirect_uri"] = LogoutA, ["state"] = "st", ["ui_locales"] = "en",
        }));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Equal("text/html; charset=utf-8", asked.Content.Headers.ContentType?.ToString());
        var form = await asked.Content.ReadAsStringAsync();
        Assert.Contains($"<input type=\"hidden\" name=\"id_token_hint\" value=\"{otherIdToken}\">", form);
        Assert.Contains($"<input type=\"hidden\" name=\"client_id\" value=\"{pool.AppA}\">", form);
        Assert.Contains($"<input type=\"hidden\" name=\"post_logout_redirect_uri\" value=\"{LogoutA}\">", form);
        Assert.Contains("<input type=\"hidden\" name=\"state\" value=\"st\">", form);
        Assert.Contains("<input type=\"hidden\" name=\"ui_locales\" value=\"en\">", form);
        Assert.Equal(6, Regex.Matches(form, "<input type=\"hidden\"").Count);
    }
}
