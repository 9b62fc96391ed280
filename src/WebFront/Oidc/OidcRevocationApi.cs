using ScanLogin.WebFront.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// Token revocation (RFC 7009) at /oidc/{poolId}/revoke. A refresh token (of this client) ends its whole family at once. An
/// access token is a self-contained JWT that resource servers check on their own against the JWKS, so nothing can call it
/// back: revoking one answers <c>unsupported_token_type</c> (RFC 7009 2.2.1), and it stays valid until its exp (the pool's
/// token lifetime, an hour by default; keep it short). An unknown or already revoked token answers 200, as the RFC asks.
/// </summary>
public static class OidcRevocationApi
{
    public static IEndpointRouteBuilder MapOidcRevocationApi(this IEndpointRouteBuilder app)
    {
        var oidc = app.MapGroup("/oidc/{poolId}").WithTags("OpenID Connect")
            .RequireCors(cors => cors.AllowAnyOrigin().WithMethods("POST").WithHeaders("Authorization", "Content-Type"));
        oidc.MapPost("/revoke", RevokeAsync).WithName("Revoke").DisableAntiforgery()
            .WithSummary("Token revocation (RFC 7009): a refresh token ends its whole family; access tokens (JWTs) cannot be revoked")
            .WithDescription("Client authentication as at the token endpoint: client_secret_basic, client_secret_post, or the client_id of a public client.");
        return app;
    }

    private static async Task<Results<Ok, JsonHttpResult<OAuthError>>> RevokeAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (!http.Request.HasFormContentType || await OidcForms.TryReadAsync(http.Request) is not { } form)
            return Error(400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded.");
        if (form.FirstOrDefault(kv => kv.Value.Count > 1) is { Key: { } repeated }) return Error(400, "invalid_request", $"{repeated} is repeated.");

        var (client, malformed) = OAuthClientCredentials.Read(http.Request, form);
        if (malformed is not null) return Error(400, "invalid_request", malformed);
        var (clientId, secret, _) = client!;
        if (clientId is not { Length: > 0 and <= 64 }) return Error(401, "invalid_client", "client_id is required.");
        var unknown = http.RequestServices.GetRequiredService<UnknownIds>();
        if ((UnknownIds.RefusalOf(http) ?? (unknown.IsKnownUnknown(UnknownIds.Application, clientId) ? null
                : await AbuseLimits.TokenRequestAsync(http, clientId))) is { } tooMany)
        {
            tooMany.Apply(http);
            return Error(429, "rate_limited", tooMany.Message);
        }
        var app = HostedLoginApi.IsSafeId(poolId) ? await unknown.ApplicationAsync(http, cluster, clientId) : null;
        if (app is null || app.PoolId != poolId) return Error(401, "invalid_client", "Unknown client.");
        if (secret is not null && !await cluster.GetGrain<IApplicationGrain>(clientId).VerifySecretAsync(secret))
            return Error(401, "invalid_client", "Client authentication failed.");

        if (Value(form, "token") is not { } token) return Error(400, "invalid_request", "token is required.");
        if (Value(form, "token_type_hint") is "access_token" || token.Count(c => c == '.') == 2)
            return Error(400, "unsupported_token_type",
                "Access tokens are self-contained JWTs, valid until they expire; revoke the refresh token instead.");
        if (OidcRefreshGrant.FamilyOf(token) is { } familyId)
            await cluster.GetGrain<IRefreshTokenGrain>(familyId).RevokeAsync(new RefreshUse(token, clientId, null, secret is not null));
        return TypedResults.Ok();
    }

    private static string? Value(IFormCollection form, string name) =>
        form.TryGetValue(name, out var values) && values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;

    private static JsonHttpResult<OAuthError> Error(int status, string error, string description) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: status);
}
