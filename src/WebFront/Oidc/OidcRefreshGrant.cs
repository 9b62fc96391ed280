using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// Refresh tokens at the token endpoint (RFC 6749 6): a code grant with scope offline_access starts a family, and
/// grant_type=refresh_token spends its current token for new tokens and the family's next refresh token. The family's grain
/// decides (rotation, reuse detection, the client binding, the user still allowed); this file translates.
/// </summary>
public static class OidcRefreshGrant
{
    public const string Scope = "offline_access";

    /// <summary>The first refresh token of a code grant that asked for offline_access; null otherwise or when it could not be stored.</summary>
    public static async Task<string?> StartFamilyAsync(IClusterClient cluster, AuthorizationGrant grant, bool clientAuthenticated)
    {
        if (!grant.Scopes.Contains(Scope)) return null;
        var started = await cluster.GetGrain<IRefreshTokenGrain>(Secrets.NewId()).StartAsync(new RefreshFamilyStart(grant.PoolId, grant.ClientId,
            grant.User.Id, grant.Scopes, grant.AuthTime, grant.IdentitySource, [TokenRequest.WeChatScanMethod], clientAuthenticated));
        return started.Value;
    }

    /// <summary>The family id of a well-formed refresh token ("{familyId}.{secret}"), else null.</summary>
    public static string? FamilyOf(string? token) =>
        token is { Length: <= 128 } && token.Split('.') is [var familyId, { Length: > 0 }] && Secrets.IsWellFormedId(familyId) ? familyId : null;

    /// <summary>grant_type=refresh_token for an authenticated (or public, where the pool allows) client.</summary>
    public static async Task<Results<JsonHttpResult<Dictionary<string, object>>, JsonHttpResult<OAuthError>, ProblemHttpResult>> RefreshAsync(string poolId,
        string clientId, bool clientAuthenticated, IFormCollection form, IClusterClient cluster, TimeProvider time, string? hostIssuer)
    {
        var token = form["refresh_token"].ToString();
        if (FamilyOf(token) is not { } familyId) return Error(400, "invalid_grant", "The refresh token is invalid, expired or revoked.");
        string[]? scopes = form.TryGetValue("scope", out var asked) && asked.ToString() is { Length: > 0 } scope
            ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : null;
        var rotated = await cluster.GetGrain<IRefreshTokenGrain>(familyId).RotateAsync(new RefreshUse(token, clientId, scopes, clientAuthenticated));
        if (rotated.Value is not { } next)
            return rotated.Failure!.Code switch
            {
                RefreshFailures.ScopeWidened => Error(400, "invalid_scope", rotated.Failure.Message),
                RefreshFailures.ClientUnauthenticated => Error(401, "invalid_client", rotated.Failure.Message),
                _ => Error(400, "invalid_grant", rotated.Failure.Message),
            };
        if (next.User.PoolId != poolId) return Error(400, "invalid_grant", "The refresh token belongs to another user pool.");
        var issued = await cluster.GetGrain<ITokenIssuerGrain>(poolId).IssueTokensAsync(new TokenRequest(clientId, next.User, next.Scopes, null,
            next.AuthTime, next.AuthenticationMethods, next.IdentitySource, hostIssuer));
        if (issued.Value is not { } tokens) return Error(503, "temporarily_unavailable", issued.Failure!.Message);
        return TypedResults.Json(new Dictionary<string, object>
        {
            ["access_token"] = tokens.AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = Math.Max(0, (int)(tokens.Stamp.ExpiresAt - tokens.Stamp.IssuedAt).TotalSeconds),
            ["id_token"] = tokens.IdToken,
            ["refresh_token"] = next.RefreshToken,
            ["scope"] = string.Join(' ', next.Scopes),
        });
    }

    private static JsonHttpResult<OAuthError> Error(int status, string error, string description) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: status);
}
