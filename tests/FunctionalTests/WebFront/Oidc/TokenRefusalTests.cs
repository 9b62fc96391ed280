using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.OAuthAnswers;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// What each refusal of the token and userinfo endpoints tells a client's developer (RFC 6749 5.2, RFC 6750 3): the error and
/// the description saying why, the challenge only where it belongs, what userinfo answers, and the cross-origin preflight.
/// </summary>
public sealed partial class OidcProtocolTests
{
    /// <summary>How a refused token request authenticates: nothing, the form's client_id alone, Basic with the right or a wrong secret.</summary>
    public enum Auth { FormId, Basic, WrongSecret, BasicAndFormSecret, BasicAndAnotherFormId, OtherPoolClient, UnknownClient, ClientId64, ClientId65, None }

    [Theory]
    [InlineData(Auth.None, "authorization_code", 401, "invalid_client", "client_id is required.")]
    [InlineData(Auth.ClientId65, "authorization_code", 401, "invalid_client", "client_id is required.")]
    [InlineData(Auth.ClientId64, "authorization_code", 401, "invalid_client", "Unknown client.")]
    [InlineData(Auth.UnknownClient, "authorization_code", 401, "invalid_client", "Unknown client.")]
    [InlineData(Auth.OtherPoolClient, "authorization_code", 401, "invalid_client", "Unknown client.")]
    [InlineData(Auth.WrongSecret, "authorization_code", 401, "invalid_client", "Client authentication failed.")]
    [InlineData(Auth.BasicAndFormSecret, "authorization_code", 400, "invalid_request", "Use one client authentication method.")]
    [InlineData(Auth.BasicAndAnotherFormId, "authorization_code", 400, "invalid_request", "client_id differs from the authenticated client.")]
    [InlineData(Auth.Basic, null, 400, "invalid_request", "grant_type is required.")]
    [InlineData(Auth.Basic, "password", 400, "unsupported_grant_type", "Only authorization_code and refresh_token are supported.")]
    [InlineData(Auth.Basic, "authorization_code", 400, "invalid_grant", "The authorization code is invalid, expired or already used.")]
    [InlineData(Auth.FormId, "authorization_code", 400, "invalid_grant", "The authorization code is invalid, expired or already used.")]
    [InlineData(Auth.Basic, "refresh_token", 400, "invalid_grant", "The refresh token is invalid, expired or revoked.")]
    public async Task Each_refused_token_request_answers_its_error_and_a_description_saying_why(Auth auth, string? grantType, int status, string error,
        string description)
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var form = new Dictionary<string, string> { ["code"] = "not-a-code", ["refresh_token"] = "not-a-refresh-token" };
        if (grantType is not null) form["grant_type"] = grantType;
        string? basic = null;
        switch (auth)
        {
            case Auth.FormId: form["client_id"] = tenant.AppId; break;
            case Auth.Basic: basic = Basic(tenant.AppId, tenant.AppSecret); break;
            case Auth.WrongSecret: basic = Basic(tenant.AppId, "not-the-secret"); break;
            case Auth.BasicAndFormSecret: (basic, form["client_secret"]) = (Basic(tenant.AppId, tenant.AppSecret), tenant.AppSecret); break;
            case Auth.BasicAndAnotherFormId: (basic, form["client_id"]) = (Basic(tenant.AppId, tenant.AppSecret), "someone-else"); break;
            case Auth.OtherPoolClient: var other = await TenantAsync(); basic = Basic(other.AppId, other.AppSecret); break;
            case Auth.UnknownClient: form["client_id"] = "no-such-app-" + Guid.NewGuid().ToString("N")[..6]; break;
            // The longest client id that is read at all, and one character more.
            case Auth.ClientId64: form["client_id"] = "c" + Guid.NewGuid().ToString("N") + new string('c', 31); break;
            case Auth.ClientId65: form["client_id"] = "c" + Guid.NewGuid().ToString("N") + new string('c', 32); break;
        }
        if (auth == Auth.ClientId64) Assert.Equal(64, form["client_id"].Length);

        var response = await http.SendAsync(TokenRequest(tenant, form, basic));

        Assert.Equal((status, error, description), await RefusalAsync(response));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_is_refused_saying_how_to_send_it()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var response = await http.PostAsJsonAsync($"/oidc/{tenant.PoolId}/token", new { grant_type = "authorization_code", client_id = tenant.AppId });
        Assert.Equal((400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded."), await RefusalAsync(response));
    }

    [Fact]
    public async Task A_form_body_that_cannot_be_read_is_refused_saying_so()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        // Multipart without a boundary claims to be a form but cannot be read as one.
        var unreadable = new StringContent("--x\r\n");
        unreadable.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        var response = await http.PostAsync($"/oidc/{tenant.PoolId}/token", unreadable);
        Assert.Equal((400, "invalid_request", "The form body could not be read."), await RefusalAsync(response));
    }

    [Fact]
    public async Task A_code_granted_offline_access_answers_a_refresh_token_with_the_tokens()
    {
        var tenant = await TenantAsync();
        var (code, verifier) = await CodeAsync(tenant, scope: "openid profile offline_access");
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var response = await TokenAsync(http, tenant, code, verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refresh_token").GetString()), "the refresh token is empty");
    }

    [Fact]
    public async Task A_public_client_refused_by_the_backends_only_rule_gets_invalid_client_without_a_basic_challenge()
    {
        var tenant = await TenantAsync();
        await system.Grains.GetGrain<IUserPoolGrain>(tenant.PoolId).SaveSettingsAsync(new UserPoolSettings(tenant.PoolId, "Pool", BrowserExchangeDisabled: true));
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "x", ["client_id"] = tenant.AppId };
        var refused = await SendTokenAsync(TokenRequest(tenant, form), http);
        Assert.Equal((401, "invalid_client"), refused.Shape);
        Assert.Empty(refused.Response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task A_code_without_PKCE_redeemed_without_the_secret_is_invalid_client_without_a_basic_challenge()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var (code, _) = await CodeAsync(tenant, pkce: false);
        var refused = await TokenAsync(http, tenant, code, null, secret: null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(refused));
        Assert.Empty(refused.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Userinfo_answers_the_tokens_subject_and_picture_and_each_refusal_says_why()
    {
        var tenant = await TenantAsync();
        const string avatar = "https://thirdwx.qlogo.cn/mmopen/functional-test/132";
        var (code, verifier) = await CodeAsync(tenant, avatarUrl: avatar);
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var tokens = await (await TokenAsync(http, tenant, code, verifier)).Content.ReadFromJsonAsync<JsonElement>();
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        // The ID token's subject is the pool user's id: userinfo must name the same user.
        var subject = new JsonWebTokenHandler().ReadJsonWebToken(tokens.GetProperty("id_token").GetString()!).Subject;
        Assert.False(string.IsNullOrEmpty(subject));

        async Task<HttpResponseMessage> AskAsync(string? bearer, string? poolId = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{poolId ?? tenant.PoolId}/userinfo");
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            return await http.SendAsync(request);
        }

        var claims = await (await AskAsync(accessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(subject, claims.GetProperty("sub").GetString());
        Assert.Equal(avatar, claims.GetProperty("picture").GetString());

        Assert.Equal((401, "invalid_request", "Send the access token as Authorization: Bearer."), await RefusalAsync(await AskAsync(null)));
        Assert.Equal((401, "invalid_token", "The access token is invalid or expired."), await RefusalAsync(await AskAsync("not-a-token")));
        // A pool id that could never be a pool is not asked about, whatever the token.
        Assert.Equal((401, "invalid_token", "The access token is invalid or expired."), await RefusalAsync(await AskAsync(accessToken, "bad~pool")));
    }

    [Theory]
    [InlineData("token", "POST")]
    [InlineData("userinfo", "GET")]
    public async Task Token_and_userinfo_let_any_origin_call_with_get_or_post_and_the_authorization_and_content_type_headers(string endpoint, string method)
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/oidc/{tenant.PoolId}/{endpoint}");
        preflight.Headers.Add("Origin", "https://spa.example");
        preflight.Headers.Add("Access-Control-Request-Method", method);
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        var response = await http.SendAsync(preflight);

        Assert.True(response.IsSuccessStatusCode, $"the preflight answered {(int)response.StatusCode}");
        Assert.Equal("*", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Origin")));
        var methods = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")).Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("GET", methods);
        Assert.Contains("POST", methods);
        var headers = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).Split(',', StringSplitOptions.TrimEntries)
            .Select(h => h.ToLowerInvariant()).ToArray();
        Assert.Contains("authorization", headers);
        Assert.Contains("content-type", headers);
    }
}
