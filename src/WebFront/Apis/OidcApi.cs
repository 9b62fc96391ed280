using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// Each pool as an OpenID Connect issuer: its discovery document and the public keys its tokens are signed with.
/// Public, cacheable, readable from any origin: relying parties and their browsers fetch them.
/// </summary>
public static class OidcApi
{
    /// <summary>What a pool's tokens can carry and which scopes unlock which claims.</summary>
    public static readonly string[] ScopesSupported = ["openid", "profile", "phone", "offline_access"];

    public static readonly string[] ClaimsSupported =
    [
        "iss", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "nonce", "identity_source",
        "name", "picture", "phone_number", "phone_number_verified",
    ];

    public static IEndpointRouteBuilder MapOidcApi(this IEndpointRouteBuilder app)
    {
        var oidc = app.MapGroup("/oidc/{poolId}").WithTags("OpenID Connect")
            .RequireCors(cors => cors.AllowAnyOrigin().WithMethods("GET").WithExposedHeaders("ETag")).WithUnknownPoolIds();
        oidc.MapGet("/.well-known/openid-configuration", DiscoveryAsync).WithName("OpenIdConfiguration")
            .WithSummary("The pool's OpenID Connect discovery document: issuer, jwks_uri, algorithms, scopes and claims")
            .Produces<JsonObject>(contentType: "application/json");
        oidc.MapGet("/jwks", JwksAsync).WithName("JsonWebKeySet")
            .WithSummary("The pool's public signing keys (RFC 7517): the next, current and retired keys whose tokens may still be live")
            .Produces<JsonObject>(contentType: "application/json");
        return app;
    }

    private static async Task<IResult> DiscoveryAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        if (await PublishedAsync(poolId, cluster) is not { } published) return PoolNotFound();
        // The pool's own host has its own issuer (Oidc/OidcIssuer.cs); every endpoint below follows it.
        var issuer = ScanLogin.WebFront.Oidc.OidcIssuer.For(http, poolId, published.Issuer);
        var document = new JsonObject
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = issuer + "/jwks",
            // The hosted login (Oidc/HostedLoginApi.cs, Oidc/OidcTokenApi.cs): code flow with PKCE, the pool session ends at end_session.
            ["authorization_endpoint"] = issuer + "/authorize",
            ["token_endpoint"] = issuer + "/token",
            ["userinfo_endpoint"] = issuer + "/userinfo",
            ["response_types_supported"] = Array(["code"]),
            ["response_modes_supported"] = Array(["query", "form_post"]),
            ["grant_types_supported"] = Array(["authorization_code", "refresh_token"]),
            ["end_session_endpoint"] = issuer + "/end_session",
            ["revocation_endpoint"] = issuer + "/revoke",
            ["revocation_endpoint_auth_methods_supported"] = Array(["client_secret_basic", "client_secret_post", "none"]),
            ["code_challenge_methods_supported"] = Array(["S256"]),
            ["token_endpoint_auth_methods_supported"] = Array(["client_secret_basic", "client_secret_post", "none"]),
            ["display_values_supported"] = Array(["page", "popup", "touch", "wap"]),
            ["ui_locales_supported"] = Array(["zh-CN", "en"]),
            ["prompt_values_supported"] = Array(["none", "login", "consent", "select_account"]),
            ["authorization_response_iss_parameter_supported"] = true,
            ["request_parameter_supported"] = false,
            ["request_uri_parameter_supported"] = false,
            ["claims_parameter_supported"] = false,
            ["id_token_signing_alg_values_supported"] = Array(published.Keys.Select(k => k.Alg).Distinct().Order()),
            ["subject_types_supported"] = Array(["public"]),
            ["scopes_supported"] = Array(ScopesSupported),
            ["claims_supported"] = Array(ClaimsSupported),
        };
        return Cacheable(http, document, published.CacheFor);
    }

    private static async Task<IResult> JwksAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        if (await PublishedAsync(poolId, cluster) is not { } published) return PoolNotFound();
        var keys = new JsonArray();
        foreach (var key in published.Keys)
        {
            var jwk = new JsonObject { ["kty"] = key.Kty, ["use"] = key.Use, ["alg"] = key.Alg, ["kid"] = key.Kid };
            // Public members only: the record carries nothing else, so a private member cannot slip in here.
            if (key.Crv is not null) (jwk["crv"], jwk["x"], jwk["y"]) = (key.Crv, key.X, key.Y);
            if (key.N is not null) (jwk["n"], jwk["e"]) = (key.N, key.E);
            keys.Add(jwk);
        }
        return Cacheable(http, new JsonObject { ["keys"] = keys }, published.CacheFor);
    }

    private static async Task<PublishedSigningKeys?> PublishedAsync(string poolId, IClusterClient cluster) =>
        // Ids no pool can have are not worth a grain activation.
        poolId is { Length: > 0 and <= 64 } && poolId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? await cluster.GetGrain<IPoolSigningKeysGrain>(poolId).GetPublishedAsync()
            : null;

    /// <summary>Public caching for the given time, with an ETag so a revalidation costs no body.</summary>
    private static IResult Cacheable(HttpContext http, JsonObject document, TimeSpan cacheFor)
    {
        var body = document.ToJsonString();
        var etag = "\"" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(body)), 0, 16) + "\"";
        http.Response.Headers.CacheControl = $"public, max-age={(int)cacheFor.TotalSeconds}";
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(tag => tag.Trim() == etag || tag.Trim() == "*")))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Text(body, "application/json", Encoding.UTF8);
    }

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static IResult PoolNotFound() =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, FailureCodes.UserPoolNotFound, "No such user pool.");
}
