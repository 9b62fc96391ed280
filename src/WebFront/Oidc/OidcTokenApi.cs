using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The token and userinfo endpoints of each pool. The code is redeemed once in its authorization grain; tokens come from the
/// pool's token issuer grain (its own signing keys), and userinfo answers from the access token's subject and scopes.
/// Errors follow RFC 6749 5.2 and RFC 6750 3: JSON <c>error</c> / <c>error_description</c>, never cached.
/// </summary>
public static class OidcTokenApi
{
    public static IEndpointRouteBuilder MapOidcTokenApi(this IEndpointRouteBuilder app)
    {
        // Single-page clients (PKCE, no secret) call these from their own origin; bearer tokens and form bodies carry no cookie.
        var oidc = app.MapGroup("/oidc/{poolId}").WithTags("OpenID Connect")
            .RequireCors(cors => cors.AllowAnyOrigin().WithMethods("GET", "POST").WithHeaders("Authorization", "Content-Type"));
        oidc.MapPost("/token", TokenAsync).WithName("Token").DisableAntiforgery()
            .WithSummary("Token endpoint: authorization_code (one use, bound to client, redirect URI and PKCE verifier) for an ID token and an access token")
            .WithDescription("Client authentication: client_secret_basic, client_secret_post, or none with a PKCE verifier.");
        oidc.MapGetAndFormPost("/userinfo", UserInfoAsync, "UserInfo",
            "The signed-in user's claims, for a Bearer access token of this pool (by scope: profile, phone)");
        return app;
    }

    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, JsonHttpResult<OAuthError>, ProblemHttpResult>> TokenAsync(
        string poolId, HttpContext http, IClusterClient cluster, TimeProvider time)
    {
        NoStore(http.Response);
        if (!http.Request.HasFormContentType) return Error(400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded.");
        if (await OidcForms.TryReadAsync(http.Request) is not { } form) return Error(400, "invalid_request", "The form body could not be read.");
        if (form.FirstOrDefault(kv => kv.Value.Count > 1) is { Key: { } repeated }) return Error(400, "invalid_request", $"{repeated} is repeated.");

        var (client, malformed) = OAuthClientCredentials.Read(http.Request, form);
        if (malformed is not null) return Error(400, "invalid_request", malformed);
        var (clientId, secret, usedBasic) = client!;
        if (clientId is not { Length: > 0 and <= 64 }) return InvalidClient(http, usedBasic, "client_id is required.");
        // Before the client is looked up or its secret checked: guessing costs the guesser. OAuth's error members ride along.
        // A client id the cluster lately did not know is answered from memory, without a bucket of its own.
        var unknown = http.RequestServices.GetRequiredService<UnknownIds>();
        if ((UnknownIds.RefusalOf(http) ?? (unknown.IsKnownUnknown(UnknownIds.Application, clientId) ? null
                : await AbuseLimits.TokenRequestAsync(http, clientId))) is { } tooMany)
            return tooMany.ToProblem(http, new Dictionary<string, object?> { ["error"] = "rate_limited", ["error_description"] = tooMany.Message });
        var app = HostedLoginApi.IsSafeId(poolId) ? await unknown.ApplicationAsync(http, cluster, clientId) : null;
        if (app is null || app.PoolId != poolId) return InvalidClient(http, usedBasic, "Unknown client.");
        if (secret is not null && !await cluster.GetGrain<IApplicationGrain>(clientId).VerifySecretAsync(secret))
            return InvalidClient(http, usedBasic, "Client authentication failed.");
        var authenticated = secret is not null;
        // A pool that keeps token exchange on backends admits only clients that prove their secret: the access policy's rule.
        if (!authenticated && await cluster.GetGrain<IAccessPolicyGrain>(0).CheckCodeRedemptionAsync(poolId, false) is { } backendsOnly)
            return InvalidClient(http, false, backendsOnly.Message);

        if (Value(form, "grant_type") is not { } grantType) return Error(400, "invalid_request", "grant_type is required.");
        if (grantType == "refresh_token") return await OidcRefreshGrant.RefreshAsync(poolId, clientId, authenticated, form, cluster, time,
            OidcIssuer.HostIssuerOf(http, poolId));
        if (grantType != "authorization_code") return Error(400, "unsupported_grant_type", "Only authorization_code and refresh_token are supported.");
        if (Value(form, "code") is not { Length: <= 128 } code || code.Split('.') is not [var requestId, _] || !Secrets.IsWellFormedId(requestId))
            return Error(400, "invalid_grant", "The authorization code is invalid, expired or already used.");

        var redeemed = await cluster.GetGrain<IAuthorizationGrain>(requestId).RedeemAsync(
            new CodeRedemption(code, clientId, Value(form, "redirect_uri"), Value(form, "code_verifier"), authenticated));
        if (redeemed.Failure is { } failure)
            return failure.Code == AuthorizationFailures.InvalidClient ? InvalidClient(http, false, failure.Message) : Error(400, "invalid_grant", failure.Message);
        var grant = redeemed.Value!;
        if (grant.PoolId != poolId) return Error(400, "invalid_grant", "The authorization code belongs to another user pool.");

        var issued = await cluster.GetGrain<ITokenIssuerGrain>(poolId).IssueTokensAsync(new TokenRequest(clientId, grant.User, grant.Scopes, grant.Nonce,
            grant.AuthTime, [TokenRequest.WeChatScanMethod], grant.IdentitySource, OidcIssuer.HostIssuerOf(http, poolId)));
        if (issued.Value is not { } tokens) return Error(503, "temporarily_unavailable", issued.Failure!.Message);
        // The lifetime the issuer stamped, on its own clock: the front end's clock may differ from the silo's.
        var expiresIn = Math.Max(0, (int)(tokens.Stamp.ExpiresAt - tokens.Stamp.IssuedAt).TotalSeconds);
        var answer = new Dictionary<string, object>
        {
            ["access_token"] = tokens.AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = expiresIn,
            ["id_token"] = tokens.IdToken,
            ["scope"] = string.Join(' ', grant.Scopes),
        };
        if (await OidcRefreshGrant.StartFamilyAsync(cluster, grant, authenticated) is { } refreshToken) answer["refresh_token"] = refreshToken;
        return TypedResults.Json(answer);
    }

    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, JsonHttpResult<OAuthError>, ProblemHttpResult>> UserInfoAsync(
        string poolId, HttpContext http, IClusterClient cluster)
    {
        NoStore(http.Response);
        var authorization = http.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || authorization["Bearer ".Length..].Trim() is not { Length: > 0 and <= 8192 } token)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Error(401, "invalid_request", "Send the access token as Authorization: Bearer.");
        }
        // An invented pool would activate an issuer that reads its keys: unknown pools are answered from memory and counted.
        if (UnknownIds.RefusalOf(http) is { } tooMany)
            return tooMany.ToProblem(http, new Dictionary<string, object?> { ["error"] = "rate_limited", ["error_description"] = tooMany.Message });
        var known = HostedLoginApi.IsSafeId(poolId) && await http.RequestServices.GetRequiredService<UnknownIds>().PoolAsync(http, cluster, poolId) is not null;
        var checkedToken = known ? await cluster.GetGrain<ITokenIssuerGrain>(poolId).ValidateAccessTokenAsync(token, OidcIssuer.HostIssuerOf(http, poolId)) : null;
        var user = checkedToken?.Value is { } info ? await cluster.GetGrain<IUserPoolGrain>(poolId).GetUserAsync(info.Subject) : null;
        if (checkedToken?.Value is not { } access || user is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The access token is invalid or expired.\"";
            return Error(401, "invalid_token", "The access token is invalid or expired.");
        }
        var claims = new Dictionary<string, object> { ["sub"] = user.Id };
        if (access.Scopes.Contains("profile"))
        {
            if (user.Nickname is { } name) claims["name"] = name;
            if (user.AvatarUrl is { } picture) claims["picture"] = picture;
        }
        if (access.Scopes.Contains("phone") && user.Phone is { } phone)
        {
            claims["phone_number"] = phone;
            // WeChat's phone-number button returns only numbers the user verified by SMS.
            claims["phone_number_verified"] = true;
        }
        return TypedResults.Json(claims);
    }

    private static string? Value(IFormCollection form, string name) =>
        form.TryGetValue(name, out StringValues values) && values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;

    private static JsonHttpResult<OAuthError> InvalidClient(HttpContext http, bool basic, string description)
    {
        if (basic) http.Response.Headers.WWWAuthenticate = "Basic realm=\"token\"";
        return Error(401, "invalid_client", description);
    }

    private static JsonHttpResult<OAuthError> Error(int status, string error, string description) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: status);

    private static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}

/// <summary>An OAuth 2.0 error answer (RFC 6749 5.2, RFC 6750 3): <c>error</c> and <c>error_description</c>.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);
