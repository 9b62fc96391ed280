using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.OAuthAnswers;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The token and userinfo endpoints' rules that the mutation run of src/WebFront/Oidc found unguarded (issue 19, item 8):
/// how a request must be shaped, how a client authenticates, which grants and codes are read, what a success and a refusal
/// carry. Over plain HTTP, as a relying party (or someone guessing) sends them.
/// </summary>
public sealed partial class OidcProtocolTests
{
    private static HttpRequestMessage TokenRequest(Tenant tenant, Dictionary<string, string> form, string? basic = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{tenant.PoolId}/token") { Content = new FormUrlEncodedContent(form) };
        if (basic is not null) request.Headers.TryAddWithoutValidation("Authorization", "Basic " + basic);
        return request;
    }

    private static string Basic(string id, string secret) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}"));

    /// <summary>A token or userinfo answer: its status, its OAuth error, and the response for its headers.</summary>
    private sealed record TokenAnswer(int Status, string? Error, HttpResponseMessage Response)
    {
        public (int, string?) Shape => (Status, Error);
    }

    private static async Task<TokenAnswer> SendTokenAsync(HttpRequestMessage request, HttpClient http)
    {
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new((int)response.StatusCode, body.TryGetProperty("error", out var error) ? error.GetString() : null, response);
    }

    [Fact]
    public async Task The_token_endpoint_takes_only_a_form_with_each_parameter_once_and_its_answers_are_never_cached()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var json = await http.PostAsJsonAsync($"/oidc/{tenant.PoolId}/token", new { grant_type = "authorization_code", client_id = tenant.AppId });
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal("invalid_request", await ErrorAsync(json));
        Assert.True(json.Headers.CacheControl?.NoStore, "a token answer may be cached");
        Assert.Equal("no-cache", json.Headers.Pragma.ToString());

        var repeated = new HttpRequestMessage(HttpMethod.Post, $"/oidc/{tenant.PoolId}/token")
        {
            Content = new StringContent($"grant_type=authorization_code&client_id={tenant.AppId}&code=a.b&code=c.d", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        Assert.Equal((400, "invalid_request"), (await SendTokenAsync(repeated, http)).Shape);
    }

    [Fact]
    public async Task A_client_authenticates_one_way_only_and_its_body_may_not_name_another_client()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var grant = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "x" };
        var both = await SendTokenAsync(TokenRequest(tenant, new(grant) { ["client_secret"] = tenant.AppSecret }, Basic(tenant.AppId, tenant.AppSecret)), http);
        Assert.Equal((400, "invalid_request"), both.Shape);
        var another = await SendTokenAsync(TokenRequest(tenant, new(grant) { ["client_id"] = "someone-else" }, Basic(tenant.AppId, tenant.AppSecret)), http);
        Assert.Equal((400, "invalid_request"), another.Shape);
        // The same client named in the body too is fine: the malformed code is what is refused.
        var same = await SendTokenAsync(TokenRequest(tenant, new(grant) { ["client_id"] = tenant.AppId }, Basic(tenant.AppId, tenant.AppSecret)), http);
        Assert.Equal((400, "invalid_grant"), same.Shape);
        // The secret in the body authenticates as well as Basic does.
        var posted = await SendTokenAsync(TokenRequest(tenant, new(grant) { ["client_id"] = tenant.AppId, ["client_secret"] = tenant.AppSecret }), http);
        Assert.Equal((400, "invalid_grant"), posted.Shape);
        var wrongPosted = await SendTokenAsync(TokenRequest(tenant, new(grant) { ["client_id"] = tenant.AppId, ["client_secret"] = "wrong" }), http);
        Assert.Equal((401, "invalid_client"), wrongPosted.Shape);
        Assert.Empty(wrongPosted.Response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task A_missing_unknown_or_unreadable_client_is_invalid_client_with_a_basic_challenge_only_after_basic()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var grant = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "x" };
        var missing = await SendTokenAsync(TokenRequest(tenant, grant), http);
        Assert.Equal((401, "invalid_client"), missing.Shape);
        Assert.Empty(missing.Response.Headers.WwwAuthenticate);
        var tooLong = await SendTokenAsync(TokenRequest(tenant, new(grant) { ["client_id"] = new string('c', 65) }), http);
        Assert.Equal((401, "invalid_client"), tooLong.Shape);

        var unknown = await SendTokenAsync(TokenRequest(tenant, grant, Basic("no-such-app-" + Guid.NewGuid().ToString("N")[..6], "secret")), http);
        Assert.Equal((401, "invalid_client"), unknown.Shape);
        Assert.Equal("Basic realm=\"token\"", unknown.Response.Headers.WwwAuthenticate.Single().ToString());
        var unreadable = await SendTokenAsync(TokenRequest(tenant, grant, "%%%not-base64"), http);
        Assert.Equal((401, "invalid_client"), unreadable.Shape);
        Assert.Equal("Basic", unreadable.Response.Headers.WwwAuthenticate.Single().Scheme);
        var noSecret = await SendTokenAsync(TokenRequest(tenant, grant, Convert.ToBase64String(Encoding.UTF8.GetBytes(tenant.AppId + ":"))), http);
        Assert.Equal((401, "invalid_client"), noSecret.Shape);
        // An application of another pool is no client of this one.
        var other = await TenantAsync();
        var foreign = await SendTokenAsync(TokenRequest(tenant, grant, Basic(other.AppId, other.AppSecret)), http);
        Assert.Equal((401, "invalid_client"), foreign.Shape);
    }

    [Fact]
    public async Task Basic_credentials_are_form_encoded_before_base64()
    {
        var tenant = await TenantAsync();
        const string secret = "s:p a+ce%/é-0123456789abcdef";
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())!, secret);
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var grant = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "x" };
        // RFC 6749 2.3.1: application/x-www-form-urlencoded, where a space may be '+'.
        var formEncoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant.AppId}:{Uri.EscapeDataString(secret).Replace("%20", "+")}"));
        Assert.Equal((400, "invalid_grant"), (await SendTokenAsync(TokenRequest(tenant, grant, formEncoded), http)).Shape);
        Assert.Equal((400, "invalid_grant"), (await SendTokenAsync(TokenRequest(tenant, grant, Basic(tenant.AppId, secret)), http)).Shape);
        Assert.Equal((401, "invalid_client"), (await SendTokenAsync(TokenRequest(tenant, grant, Basic(tenant.AppId, secret + "x")), http)).Shape);
    }

    [Fact]
    public async Task Grant_type_is_required_and_a_grant_other_than_authorization_code_is_unsupported()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var basic = Basic(tenant.AppId, tenant.AppSecret);
        Assert.Equal((400, "invalid_request"), (await SendTokenAsync(TokenRequest(tenant, new() { ["code"] = "x.y" }, basic), http)).Shape);
        Assert.Equal((400, "unsupported_grant_type"),
            (await SendTokenAsync(TokenRequest(tenant, new() { ["grant_type"] = "password", ["code"] = "x.y" }, basic), http)).Shape);
    }

    [Fact]
    public async Task A_code_that_is_not_a_request_id_and_a_secret_is_invalid_grant()
    {
        var tenant = await TenantAsync();
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var basic = Basic(tenant.AppId, tenant.AppSecret);
        var requestId = Secrets.NewId();
        foreach (var code in new[] { "", "no-dot", $"{requestId}.a.b", "not-an-id.secret", $"{requestId}." + new string('s', 128 - requestId.Length) })
        {
            var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code" };
            if (code.Length > 0) form["code"] = code;
            var answer = await SendTokenAsync(TokenRequest(tenant, form, basic), http);
            Assert.True(answer.Shape == (400, "invalid_grant"), $"code \"{code}\" answered {answer.Status} {answer.Error}");
        }
    }

    [Fact]
    public async Task A_redeemed_code_answers_bearer_tokens_with_their_lifetime_in_seconds()
    {
        var tenant = await TenantAsync();
        var (code, verifier) = await CodeAsync(tenant);
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var response = await TokenAsync(http, tenant, code, verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "tokens may be cached");
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        var expiresIn = tokens.GetProperty("expires_in").GetInt32();
        // The pool's default lifetime, one hour, counted from now on the silos' clock (which tests may have moved).
        Assert.InRange(expiresIn, 3600 - 120, 3600);
    }

    [Fact]
    public async Task Userinfo_takes_a_bearer_token_by_get_or_post_in_any_case_and_refuses_anything_else()
    {
        var tenant = await TenantAsync();
        var (code, verifier) = await CodeAsync(tenant);
        using var http = new HttpClient { BaseAddress = system.A.BaseAddress };
        var accessToken = (await (await TokenAsync(http, tenant, code, verifier)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        async Task<HttpResponseMessage> AskAsync(HttpMethod method, string? authorization, string? poolId = null)
        {
            using var request = new HttpRequestMessage(method, $"/oidc/{poolId ?? tenant.PoolId}/userinfo");
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return await http.SendAsync(request);
        }

        var posted = await AskAsync(HttpMethod.Post, "bearer " + accessToken);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.True(posted.Headers.CacheControl?.NoStore, "userinfo may be cached");
        Assert.Equal("Mei", (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());

        foreach (var authorization in new[] { "Basic " + accessToken, "Bearer ", "Bearer " + new string('t', 8193) })
        {
            var refused = await AskAsync(HttpMethod.Get, authorization);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("invalid_request", await ErrorAsync(refused));
            Assert.Equal("Bearer", string.Join(", ", refused.Headers.GetValues("WWW-Authenticate")));
        }

        foreach (var (authorization, poolId) in new[] { ("Bearer not-a-token", null), ("Bearer " + accessToken, "no-such-pool-" + Guid.NewGuid().ToString("N")[..6]) })
        {
            var invalid = await AskAsync(HttpMethod.Get, authorization, poolId);
            Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
            Assert.Equal("invalid_token", await ErrorAsync(invalid));
            Assert.Contains("error=\"invalid_token\"", string.Join(", ", invalid.Headers.GetValues("WWW-Authenticate")));
        }
        // Another pool's userinfo does not know this pool's token.
        var other = await TenantAsync();
        Assert.Equal("invalid_token", await ErrorAsync(await AskAsync(HttpMethod.Get, "Bearer " + accessToken, other.PoolId)));
    }
}
