using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.OAuthAnswers;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The pool session over HTTP through the real front ends: a second application signs in without a scan, prompt and max_age,
/// refresh tokens with rotation and reuse detection, revocation, end_session, and operators ending a user's sessions.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed partial class PoolSessionTests(SystemFixture system)
{
    private const string CallbackA = "https://a.example/callback";
    private const string LogoutA = "https://a.example/signed-out";
    private const string CallbackB = "https://b.example/callback";

    /// <summary>A pool with two applications (A and B) sharing one identity source; the pool session on or off.</summary>
    private sealed record Pool(string PoolId, string AppA, string SecretA, string AppB, string SecretB);

    private async Task<Pool> PoolAsync(bool sessions = true)
    {
        var tenant = await system.CreateTenantAsync();
        await system.Grains.GetGrain<IUserPoolGrain>(tenant.PoolId).SaveSettingsAsync(new UserPoolSettings(tenant.PoolId, "Pool", SessionEnabled: sessions));
        var a = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await a.SaveAsync((await a.GetAsync())! with { CallbackUrls = [CallbackA, LogoutA] }, null);
        var appB = "app-" + Guid.NewGuid().ToString("N")[..8];
        var secretB = "app-secret-" + Guid.NewGuid().ToString("N");
        await system.Grains.GetGrain<IApplicationGrain>(appB).SaveAsync(new ApplicationSettings(appB, tenant.PoolId, "Site B", null, [], [CallbackB]), secretB);
        await system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, Tenant.Source)).SaveAsync(
            new IdentitySourceSettings(tenant.PoolId, Tenant.Source, "WeChat", null, true, false, null, LoginMode.LoginAndRegister, AccountAssociation.Off,
                IdentitySourceSettings.DefaultTicketLifetime, [tenant.AppId, appB]), null);
        return new Pool(tenant.PoolId, tenant.AppId, tenant.AppSecret, appB, secretB);
    }

    [Fact]
    public async Task After_a_scan_in_application_A_application_B_signs_in_without_a_scan_with_the_scans_auth_time()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var first = await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        var cookie = SessionCookie(browser, pool);
        Assert.NotNull(cookie);
        Assert.True(cookie.HttpOnly);
        Assert.Equal("/", cookie.Path);
        var tokensA = await TokenAsync(pool.PoolId, pool.AppA, pool.SecretA, first.Code, CallbackA, first.Verifier);

        system.Time.Advance(TimeSpan.FromMinutes(3));
        var (verifier, query) = Request(pool.AppB, CallbackB);
        var answer = await browser.GetAsync(AuthorizeUrl(pool.PoolId, query));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var location = answer.Headers.Location!;
        Assert.StartsWith(CallbackB + "?", location.ToString());
        var response = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("st", response["state"].ToString());
        var tokensB = await TokenAsync(pool.PoolId, pool.AppB, pool.SecretB, response["code"].ToString(), CallbackB, verifier);

        var idA = new JsonWebToken(tokensA.GetProperty("id_token").GetString());
        var idB = new JsonWebToken(tokensB.GetProperty("id_token").GetString());
        Assert.Equal(idA.Subject, idB.Subject);
        Assert.Equal([pool.AppB], idB.Audiences);
        Assert.Equal(idA.GetPayloadValue<long>("auth_time"), idB.GetPayloadValue<long>("auth_time"));
        Assert.Equal("n", idB.GetPayloadValue<string>("nonce"));
    }

    [Fact]
    public async Task Prompt_none_answers_login_required_without_a_session_and_a_code_with_one()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
        await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        var (_, query) = Request(pool.AppB, CallbackB, new() { ["prompt"] = "none" });
        var answer = await browser.GetAsync(AuthorizeUrl(pool.PoolId, query));
        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(answer.Headers.Location!.Query)["code"].ToString()));
        Assert.Equal("invalid_request", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none login" }));
    }

    [Fact]
    public async Task Prompt_login_and_an_exceeded_max_age_show_the_QR_page_and_prompt_none_then_says_login_required()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        system.Time.Advance(TimeSpan.FromSeconds(120));
        Assert.StartsWith($"/oidc/{pool.PoolId}/login/", await LocationAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "login" }));
        Assert.StartsWith($"/oidc/{pool.PoolId}/login/", await LocationAsync(browser, pool, pool.AppB, CallbackB, new() { ["max_age"] = "60" }));
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["max_age"] = "60", ["prompt"] = "none" }));
        Assert.StartsWith(CallbackB, await LocationAsync(browser, pool, pool.AppB, CallbackB, new() { ["max_age"] = "3600" }));
        Assert.Equal("invalid_request", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["max_age"] = "-1" }));
    }

    [Fact]
    public async Task A_pool_without_sessions_sets_no_cookie_and_every_login_is_a_scan()
    {
        var pool = await PoolAsync(sessions: false);
        using var browser = Browser();
        await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        Assert.Null(SessionCookie(browser, pool));
        Assert.StartsWith($"/oidc/{pool.PoolId}/login/", await LocationAsync(browser, pool, pool.AppB, CallbackB, []));
    }

    [Fact]
    public async Task A_blocked_users_session_does_not_sign_in_even_after_unblocking_and_its_refresh_tokens_are_revoked()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var tokens = await TokensOfAAsync(browser, pool, "openid offline_access");
        var userId = new JsonWebToken(tokens.GetProperty("id_token").GetString()).Subject;

        using var admin = new Admin.AdminClient(system.Operator(system.PlatformKey));
        await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{pool.PoolId}/users/{userId}/block");
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
        await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{pool.PoolId}/users/{userId}/unblock");
        // The block ended the session and the refresh family for good: unblocking does not bring them back.
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
        var refresh = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(refresh));
    }

    [Fact]
    public async Task Operators_end_a_users_sessions_and_refresh_tokens_and_the_audit_log_says_so()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var tokens = await TokensOfAAsync(browser, pool, "openid offline_access");
        var userId = new JsonWebToken(tokens.GetProperty("id_token").GetString()).Subject;

        using var admin = new Admin.AdminClient(system.Operator(system.PlatformKey));
        var ended = await admin.OkAsync(HttpMethod.Delete, $"/admin/v1/pools/{pool.PoolId}/users/{userId}/sessions");
        Assert.Equal(1, ended["sessions"]!.GetValue<int>());
        Assert.Equal(1, ended["refreshTokenFamilies"]!.GetValue<int>());
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
        Assert.Equal("invalid_grant", await ErrorAsync(await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, tokens.GetProperty("refresh_token").GetString()!)));
        var audit = await admin.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{pool.PoolId}/audit?action=end_sessions");
        Assert.Contains(userId, audit.ToJsonString());
        await admin.ProblemAsync(HttpMethod.Delete, $"/admin/v1/pools/{pool.PoolId}/users/no-such-user/sessions", null, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_refresh_token_rotates_on_each_use_and_a_reused_one_revokes_its_whole_family()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var tokens = await TokensOfAAsync(browser, pool, "openid profile offline_access");
        var first = tokens.GetProperty("refresh_token").GetString()!;

        var rotated = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, first);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var next = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var second = next.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(first, second);
        Assert.Equal("openid profile offline_access", next.GetProperty("scope").GetString());
        var idToken = new JsonWebToken(next.GetProperty("id_token").GetString());
        Assert.Equal(new JsonWebToken(tokens.GetProperty("id_token").GetString()).Subject, idToken.Subject);
        Assert.False(idToken.TryGetPayloadValue<string>("nonce", out _));
        Assert.NotEqual(new JsonWebToken(tokens.GetProperty("access_token").GetString()).Id, new JsonWebToken(next.GetProperty("access_token").GetString()).Id);

        // The first token again: someone holds a copy, so the family ends, the legitimate holder's newest token with it.
        var reused = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, first);
        Assert.Equal("invalid_grant", await ErrorAsync(reused));
        Assert.Equal("invalid_grant", await ErrorAsync(await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, second)));
    }

    [Fact]
    public async Task A_refresh_token_is_bound_to_its_client_and_its_secret_and_cannot_widen_the_scope()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var refresh = (await TokensOfAAsync(browser, pool, "openid offline_access")).GetProperty("refresh_token").GetString()!;

        Assert.Equal("invalid_grant", await ErrorAsync(await RefreshAsync(pool.PoolId, pool.AppB, pool.SecretB, refresh)));
        var withoutSecret = await RefreshAsync(pool.PoolId, pool.AppA, null, refresh);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutSecret.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(withoutSecret));
        Assert.Equal("invalid_scope", await ErrorAsync(await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, refresh, scope: "openid phone")));
        // None of those refusals spent the token.
        var narrowed = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, refresh, scope: "openid");
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        Assert.Equal("openid", (await narrowed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Without_offline_access_no_refresh_token_is_issued()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        Assert.False((await TokensOfAAsync(browser, pool)).TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Revoking_a_refresh_token_ends_its_family_and_revoking_an_access_token_is_unsupported()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var tokens = await TokensOfAAsync(browser, pool, "openid offline_access");
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        // Another client's revocation changes nothing (and, as RFC 7009 asks, still answers 200).
        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(pool.PoolId, pool.AppB, pool.SecretB, refresh)).StatusCode);
        var rotated = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, refresh);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        refresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(pool.PoolId, pool.AppA, pool.SecretA, refresh)).StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, refresh)));
        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(pool.PoolId, pool.AppA, pool.SecretA, "not-a-token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RevokeAsync(pool.PoolId, pool.AppA, "wrong-secret", refresh)).StatusCode);

        var access = await RevokeAsync(pool.PoolId, pool.AppA, pool.SecretA, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, access.StatusCode);
        Assert.Equal("unsupported_token_type", await ErrorAsync(access));
    }

    [Fact]
    public async Task End_session_with_an_id_token_hint_ends_the_session_and_returns_to_a_registered_uri_with_the_state()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var idToken = (await TokensOfAAsync(browser, pool)).GetProperty("id_token").GetString()!;

        var unregistered = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = "https://evil.example/" }));
        Assert.Equal(HttpStatusCode.BadRequest, unregistered.StatusCode);
        Assert.Null(unregistered.Headers.Location);
        // Another application's callback is not this application's to return to.
        var foreign = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = CallbackB }));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.NotNull(SessionCookie(browser, pool));

        var ended = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = LogoutA, ["state"] = "bye" }));
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Equal($"{LogoutA}?state=bye", ended.Headers.Location!.ToString());
        Assert.Null(SessionCookie(browser, pool));
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
    }

    [Fact]
    public async Task End_session_without_a_hint_asks_first_and_ends_only_on_the_users_same_origin_post()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        var token = SessionCookie(browser, pool)!.Value;

        var asked = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["client_id"] = pool.AppA, ["post_logout_redirect_uri"] = LogoutA }));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("confirm-sign-out", await asked.Content.ReadAsStringAsync());
        Assert.Contains("form-action 'self'", asked.Headers.GetValues("Content-Security-Policy").Single());
        Assert.StartsWith(CallbackB, await LocationAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));

        // A cross-site form post of the same fields is not the user's confirmation.
        var crossSite = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{pool.PoolId}/end_session")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["confirm"] = "yes", ["client_id"] = pool.AppA, ["post_logout_redirect_uri"] = LogoutA }),
            Headers = { { "Origin", "https://evil.example" } },
        };
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(crossSite)).StatusCode);
        Assert.Equal(token, SessionCookie(browser, pool)?.Value);

        var confirmed = await browser.PostAsync($"/oidc/{pool.PoolId}/end_session", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["confirm"] = "yes", ["client_id"] = pool.AppA, ["post_logout_redirect_uri"] = LogoutA,
        }));
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(LogoutA, confirmed.Headers.Location!.ToString());
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
    }

    [Fact]
    public async Task Discovery_lists_refresh_logout_revocation_prompt_values_and_offline_access()
    {
        var pool = await PoolAsync();
        var document = await system.A.GetFromJsonAsync<JsonElement>($"/oidc/{pool.PoolId}/.well-known/openid-configuration");
        var issuer = document.GetProperty("issuer").GetString();
        Assert.Equal(issuer + "/end_session", document.GetProperty("end_session_endpoint").GetString());
        Assert.Equal(issuer + "/revoke", document.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(["authorization_code", "refresh_token"], document.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("none", document.GetProperty("prompt_values_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("offline_access", document.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_admin_API_turns_a_pools_session_on_with_a_lifetime_and_refuses_one_out_of_range()
    {
        using var admin = new Admin.AdminClient(system.Operator(system.PlatformKey));
        var id = "pool-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.OkAsync(HttpMethod.Post, "/admin/v1/pools", new { id, name = "Sessions", sessionEnabled = true, sessionLifetimeSeconds = 600 },
            HttpStatusCode.Created);
        Assert.True(created["sessionEnabled"]!.GetValue<bool>());
        Assert.Equal(600, created["sessionLifetimeSeconds"]!.GetValue<int>());
        var settings = await system.Grains.GetGrain<IUserPoolGrain>(id).GetSettingsAsync();
        Assert.Equal(TimeSpan.FromSeconds(600), settings!.SessionLifetime);
        await admin.ProblemAsync(HttpMethod.Post, "/admin/v1/pools", new { name = "Bad", sessionLifetimeSeconds = 10 }, HttpStatusCode.BadRequest, "validation_failed");
        var (response, _) = await admin.SendAsync(HttpMethod.Get, $"/admin/v1/pools/{id}");
        var updated = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/pools/{id}", new { sessionEnabled = false }, response.Headers.ETag!.Tag);
        Assert.False(updated.Body!["sessionEnabled"]!.GetValue<bool>());
        Assert.Equal(600, updated.Body!["sessionLifetimeSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_session_ends_at_the_pools_session_lifetime()
    {
        var pool = await PoolAsync();
        await system.Grains.GetGrain<IUserPoolGrain>(pool.PoolId).SaveSettingsAsync(new UserPoolSettings(pool.PoolId, "Pool", SessionEnabled: true,
            SessionLifetimeSeconds: 7200));
        using var browser = Browser();
        await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        system.Time.Advance(TimeSpan.FromSeconds(7190));
        Assert.StartsWith(CallbackB, await LocationAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
        system.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
    }

    [Fact]
    public async Task Revocation_refuses_what_is_no_revocation_request_and_a_hint_of_access_token_revokes_nothing()
    {
        var pool = await PoolAsync();
        var other = await system.CreateTenantAsync();
        using var browser = Browser();
        var refresh = (await TokensOfAAsync(browser, pool, "openid offline_access")).GetProperty("refresh_token").GetString()!;
        var basic = Basic(pool.AppA, pool.SecretA);

        // The client calls it an access token: access tokens cannot be revoked, so nothing is (RFC 7009 2.2.1).
        var hinted = await PostAsync($"/oidc/{pool.PoolId}/revoke", [new("token", refresh), new("token_type_hint", "access_token")], basic);
        Assert.Equal(HttpStatusCode.BadRequest, hinted.StatusCode);
        Assert.Equal("unsupported_token_type", await ErrorAsync(hinted));
        Assert.Equal("no-store", hinted.Headers.CacheControl?.ToString());
        // Any other hint is only a hint (and a wrong one is ignored, RFC 7009 2.1).
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"/oidc/{pool.PoolId}/revoke", [new("token", "unknown"), new("token_type_hint", "refresh_token")], basic)).StatusCode);

        var refusals = new (HttpResponseMessage Response, HttpStatusCode Status, string Error)[]
        {
            (await PostAsync($"/oidc/{pool.PoolId}/revoke", [], basic), HttpStatusCode.BadRequest, "invalid_request"),
            (await PostAsync($"/oidc/{pool.PoolId}/revoke", [new("token", "")], basic), HttpStatusCode.BadRequest, "invalid_request"),
            (await PostAsync($"/oidc/{pool.PoolId}/revoke", [new("token", refresh), new("token", refresh)], basic), HttpStatusCode.BadRequest, "invalid_request"),
            (await PostAsync($"/oidc/{pool.PoolId}/revoke", [new("token", refresh)], null), HttpStatusCode.Unauthorized, "invalid_client"),
            // A client of another pool is unknown here, its secret right or not.
            (await PostAsync($"/oidc/{pool.PoolId}/revoke", [new("token", refresh)], Basic(other.AppId, other.AppSecret)), HttpStatusCode.Unauthorized, "invalid_client"),
        };
        foreach (var (response, status, error) in refusals)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(error, await ErrorAsync(response));
        }
        using var json = new HttpClient { BaseAddress = system.A.BaseAddress };
        var notForm = await json.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/oidc/{pool.PoolId}/revoke")
        {
            Content = JsonContent.Create(new { token = refresh }), Headers = { Authorization = basic },
        });
        Assert.Equal(HttpStatusCode.BadRequest, notForm.StatusCode);
        Assert.Equal("invalid_request", await ErrorAsync(notForm));

        // A confidential client that does not authenticate is answered 200 (RFC 7009) but ends nothing.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"/oidc/{pool.PoolId}/revoke", [new("token", refresh), new("client_id", pool.AppA)], null)).StatusCode);
        // None of the above spent or ended the token.
        var rotated = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, refresh);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
    }

    [Fact]
    public async Task A_refreshed_answer_is_a_bearer_token_for_the_pools_lifetime_and_an_empty_scope_keeps_the_granted_one()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        var tokens = await TokensOfAAsync(browser, pool, "openid profile offline_access");
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        foreach (var malformed in new[] { "not-a-token", refresh.Split('.')[0], refresh + ".x", refresh.Split('.')[0] + "." + new string('s', 120) })
        {
            var refused = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, malformed);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("invalid_grant", await ErrorAsync(refused));
        }

        var rotated = await RefreshAsync(pool.PoolId, pool.AppA, pool.SecretA, refresh, scope: "");
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var next = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", next.GetProperty("token_type").GetString());
        Assert.Equal(tokens.GetProperty("expires_in").GetInt32(), next.GetProperty("expires_in").GetInt32());
        Assert.True(next.GetProperty("expires_in").GetInt32() > 0);
        Assert.Equal("openid profile offline_access", next.GetProperty("scope").GetString());
        var access = new JsonWebToken(next.GetProperty("access_token").GetString());
        Assert.Equal(next.GetProperty("expires_in").GetInt32(), (int)(access.ValidTo - access.IssuedAt).TotalSeconds);
    }

    [Fact]
    public async Task End_session_refuses_a_bad_hint_another_client_than_the_hints_an_unregistered_or_foreign_return_and_an_over_long_state()
    {
        var pool = await PoolAsync();
        var other = await system.CreateTenantAsync();
        var foreignApp = system.Grains.GetGrain<IApplicationGrain>(other.AppId);
        await foreignApp.SaveAsync((await foreignApp.GetAsync())! with { CallbackUrls = [LogoutA] }, null);
        using var browser = Browser();
        var idToken = (await TokensOfAAsync(browser, pool)).GetProperty("id_token").GetString()!;

        var refusals = new Dictionary<string, string?>[]
        {
            new() { ["id_token_hint"] = "not-a-token", ["post_logout_redirect_uri"] = LogoutA },
            new() { ["id_token_hint"] = idToken[..^2] + "xx", ["post_logout_redirect_uri"] = LogoutA },
            // B's own callback: B may return there, but the hint says the request is A's.
            new() { ["id_token_hint"] = idToken, ["client_id"] = pool.AppB, ["post_logout_redirect_uri"] = CallbackB },
            // A return address needs its application: the hint's audience or client_id.
            new() { ["post_logout_redirect_uri"] = LogoutA },
            // Another pool's application, though LogoutA is registered there, is not this pool's to return to.
            new() { ["client_id"] = other.AppId, ["post_logout_redirect_uri"] = LogoutA },
            new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = LogoutA, ["state"] = new string('s', 2049) },
        };
        foreach (var query in refusals)
        {
            var refused = await browser.GetAsync(EndSessionUrl(pool.PoolId, query));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{string.Join(", ", query.Keys)} answered {(int)refused.StatusCode}");
            Assert.Null(refused.Headers.Location);
            Assert.Contains("id=\"end-session-error\"", await refused.Content.ReadAsStringAsync());
        }
        var repeated = await browser.GetAsync($"/oidc/{pool.PoolId}/end_session?state=a&state=b");
        Assert.Equal(HttpStatusCode.BadRequest, repeated.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/oidc/pool-{Guid.NewGuid():N}/end_session")).StatusCode);
        Assert.NotNull(SessionCookie(browser, pool));

        var state = new string('s', 2048);
        var ended = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["id_token_hint"] = idToken, ["client_id"] = pool.AppA, ["post_logout_redirect_uri"] = LogoutA, ["state"] = state }));
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Equal($"{LogoutA}?state={state}", ended.Headers.Location!.ToString());
        Assert.Equal("no-referrer", ended.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("no-store", ended.Headers.CacheControl?.ToString());
        Assert.Null(SessionCookie(browser, pool));
    }

    [Fact]
    public async Task End_session_ends_only_on_a_post_from_its_own_origin_or_the_session_users_hint_and_without_a_return_says_signed_out()
    {
        var pool = await PoolAsync();
        using var browser = Browser();
        await ScanLoginAsync(browser, pool, pool.AppA, CallbackA);
        var token = SessionCookie(browser, pool)!.Value;
        // Another user's id token is no proof this browser's user wants out.
        using var otherBrowser = Browser();
        var otherLogin = await ScanLoginAsync(otherBrowser, pool, pool.AppA, CallbackA);
        var othersIdToken = (await TokenAsync(pool.PoolId, pool.AppA, pool.SecretA, otherLogin.Code, CallbackA, otherLogin.Verifier)).GetProperty("id_token").GetString()!;

        var asked = await browser.GetAsync(EndSessionUrl(pool.PoolId, new() { ["id_token_hint"] = othersIdToken, ["confirm"] = "yes", ["state"] = "s<1>" }));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var form = await asked.Content.ReadAsStringAsync();
        // The question carries the request on: the user's post is the same logout, confirmed.
        Assert.Contains($"<form method=\"post\" action=\"/oidc/{pool.PoolId}/end_session\">", form);
        Assert.Contains($"<input type=\"hidden\" name=\"id_token_hint\" value=\"{othersIdToken}\">", form);
        Assert.Contains("<input type=\"hidden\" name=\"state\" value=\"s&lt;1&gt;\">", form);
        Assert.Contains("<input type=\"hidden\" name=\"confirm\" value=\"yes\">", form);
        Assert.Single(Regex.Matches(form, "name=\"confirm\""));
        Assert.Equal(token, SessionCookie(browser, pool)?.Value);

        var notYes = await browser.PostAsync($"/oidc/{pool.PoolId}/end_session", new FormUrlEncodedContent(new Dictionary<string, string> { ["confirm"] = "no" }));
        Assert.Contains("confirm-sign-out", await notYes.Content.ReadAsStringAsync());
        Assert.Equal(token, SessionCookie(browser, pool)?.Value);

        var sameOrigin = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{pool.PoolId}/end_session")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["confirm"] = "yes" }),
            Headers = { { "Origin", system.A.BaseAddress!.GetLeftPart(UriPartial.Authority).ToUpperInvariant() } },
        };
        var signedOut = await browser.SendAsync(sameOrigin);
        Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        Assert.Contains("id=\"signed-out\"", await signedOut.Content.ReadAsStringAsync());
        Assert.Null(SessionCookie(browser, pool));
        Assert.Equal("login_required", await ErrorOfAsync(browser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
        // The other browser's session is its own.
        Assert.StartsWith(CallbackB, await LocationAsync(otherBrowser, pool, pool.AppB, CallbackB, new() { ["prompt"] = "none" }));
    }

    // --- helpers ---
    // --- helpers ---

    private static (string Verifier, Dictionary<string, string?> Query) Request(string appId, string callback, Dictionary<string, string?>? extra = null,
        string scope = "openid profile")
    {
        var verifier = Secrets.NewSecret() + "abc";
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = appId, ["redirect_uri"] = callback, ["scope"] = scope, ["state"] = "st", ["nonce"] = "n",
            ["code_challenge"] = LoginDriver.Challenge(verifier), ["code_challenge_method"] = "S256",
        };
        foreach (var (key, value) in extra ?? []) query[key] = value;
        return (verifier, query);
    }

    private string AuthorizeUrl(string poolId, Dictionary<string, string?> query) =>
        QueryHelpers.AddQueryString(new Uri(system.A.BaseAddress!, $"oidc/{poolId}/authorize").ToString(), query);

    private string EndSessionUrl(string poolId, Dictionary<string, string?> query) =>
        QueryHelpers.AddQueryString(new Uri(system.A.BaseAddress!, $"oidc/{poolId}/end_session").ToString(), query);

    private async Task<string> LocationAsync(HttpClient browser, Pool pool, string appId, string callback, Dictionary<string, string?> extra)
    {
        var answer = await browser.GetAsync(AuthorizeUrl(pool.PoolId, Request(appId, callback, extra).Query));
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"authorize answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        return answer.Headers.Location!.ToString();
    }

    private async Task<string> ErrorOfAsync(HttpClient browser, Pool pool, string appId, string callback, Dictionary<string, string?> extra)
    {
        var location = await LocationAsync(browser, pool, appId, callback, extra);
        Assert.StartsWith(callback + "?", location);
        return QueryHelpers.ParseQuery(new Uri(location).Query)["error"].ToString();
    }

    /// <summary>A whole scan login over HTTP in this browser: authorize, the page, the phone's scan and confirm, complete.</summary>
    private async Task<(string Code, string Verifier)> ScanLoginAsync(HttpClient browser, Pool pool, string appId, string callback, string scope = "openid profile")
    {
        var (verifier, query) = Request(appId, callback, scope: scope);
        var started = await browser.GetAsync(AuthorizeUrl(pool.PoolId, query));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var loginPage = started.Headers.Location!.ToString();
        Assert.StartsWith($"/oidc/{pool.PoolId}/login/", loginPage);
        var ticketId = TicketInPage().Match(await browser.GetStringAsync(loginPage)).Groups[1].Value;
        var openId = await system.Emulator.CreateUserAsync();
        var scan = await Api.ScanOkAsync(system.B, ticketId, await system.Emulator.LoginCodeAsync(openId));
        (await Api.ConfirmAsync(system.B, ticketId, scan.ScanToken)).EnsureSuccessStatusCode();
        var completed = await browser.GetAsync(loginPage + "/complete");
        Assert.Equal(HttpStatusCode.Redirect, completed.StatusCode);
        return (QueryHelpers.ParseQuery(completed.Headers.Location!.Query)["code"].ToString(), verifier);
    }

    /// <summary>Application A's tokens after a scan in <paramref name="browser"/> for <paramref name="scope"/> (its code redeemed with A's secret).</summary>
    private async Task<JsonElement> TokensOfAAsync(HttpClient browser, Pool pool, string scope = "openid profile")
    {
        var login = await ScanLoginAsync(browser, pool, pool.AppA, CallbackA, scope);
        return await TokenAsync(pool.PoolId, pool.AppA, pool.SecretA, login.Code, CallbackA, login.Verifier);
    }

    private async Task<JsonElement> TokenAsync(string poolId, string appId, string secret, string code, string callback, string verifier)
    {
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{poolId}/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = callback, ["code_verifier"] = verifier,
            }),
            Headers = { Authorization = Basic(appId, secret) },
        };
        var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"token answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpResponseMessage> RefreshAsync(string poolId, string appId, string? secret, string refreshToken, string? scope = null)
    {
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        if (scope is not null) form["scope"] = scope;
        if (secret is null) form["client_id"] = appId;
        var request = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{poolId}/token") { Content = new FormUrlEncodedContent(form) };
        if (secret is not null) request.Headers.Authorization = Basic(appId, secret);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<HttpResponseMessage> RevokeAsync(string poolId, string appId, string secret, string token)
    {
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{poolId}/revoke")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
            Headers = { Authorization = Basic(appId, secret) },
        };
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, KeyValuePair<string, string>[] form, AuthenticationHeaderValue? authorization)
    {
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form), Headers = { Authorization = authorization } };
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));

    private Cookie? SessionCookie(HttpClient browser, Pool pool) =>
        _jars[browser].GetCookies(system.A.BaseAddress!).FirstOrDefault(c => c.Name == "scanlogin_session_" + pool.PoolId);

    private readonly Dictionary<HttpClient, CookieContainer> _jars = [];

    /// <summary>A browser that keeps cookies and shows redirects instead of following them.</summary>
    private HttpClient Browser()
    {
        var jar = new CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = jar }) { BaseAddress = system.A.BaseAddress };
        _jars[browser] = jar;
        return browser;
    }

    [GeneratedRegex("/api/tickets/([A-Za-z0-9_-]{22})/qr\\.png")]
    private static partial Regex TicketInPage();
}
