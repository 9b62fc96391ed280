using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// Plays a site that trusts a pool: it knows only the pool's URLs and verifies tokens with Microsoft.IdentityModel
/// against the JWKS it fetched, nothing of ScanLogin's code.
/// </summary>
public sealed class RelyingParty(HttpClient http, string poolId)
{
    public string Issuer => $"{SystemFixture.PublicBaseUrl}/oidc/{poolId}";

    public async Task<JsonObject> DiscoveryAsync()
    {
        var response = await http.GetAsync($"/oidc/{poolId}/.well-known/openid-configuration");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    public async Task<string> JwksJsonAsync()
    {
        var response = await http.GetAsync($"/oidc/{poolId}/jwks");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<JsonWebKeySet> JwksAsync() => new(await JwksJsonAsync());

    /// <summary>Verifies an ID token (typ JWT) for the application, the way a site's OpenID Connect middleware would.</summary>
    public Task<TokenValidationResult> ValidateIdTokenAsync(string token, JsonWebKeySet keys, string appId) =>
        ValidateAsync(token, keys, appId, "JWT");

    /// <summary>Verifies an access token (RFC 9068, typ at+jwt) for the application.</summary>
    public Task<TokenValidationResult> ValidateAccessTokenAsync(string token, JsonWebKeySet keys, string appId) =>
        ValidateAsync(token, keys, appId, "at+jwt");

    private Task<TokenValidationResult> ValidateAsync(string token, JsonWebKeySet keys, string appId, string type) =>
        new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = appId,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
            ValidTypes = [type],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
        });
}
