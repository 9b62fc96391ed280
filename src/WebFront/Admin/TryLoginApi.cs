using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.Oidc;

namespace ScanLogin.WebFront.Admin;

/// <summary>
/// "Try login" (体验登录) for the console: a key that manages an application opens a real hosted login of it whose redirect URI is
/// ScanLogin's own callback ({issuer}/try-login/callback). The authorize endpoint accepts that URI only for the one request
/// this opened (its state is the try's id, its PKCE challenge the try's), once, within minutes; the callback redeems the code
/// inside the cluster with the verifier only the try holds, and keeps the user and the ID token's claims for the key to read.
/// Nothing is redirected anywhere else, and no token leaves the cluster.
/// </summary>
public static class TryLoginApi
{
    public const string CallbackPath = "/try-login/callback";

    public sealed record TryLoginRequest(string? IdentitySource);
    public sealed record TryLoginOpened(string TryLoginId, string AuthorizeUrl, DateTimeOffset ExpiresAt);

    public static RouteGroupBuilder MapTryLoginApi(this RouteGroupBuilder admin)
    {
        var tries = admin.MapGroup("/pools/{poolId}/applications/{appId}/try-login").WithTags("Admin: applications");
        tries.MapPost("/", OpenAsync).WithName("OpenTryLogin")
            .WithSummary("Open a try login: a real hosted login of this application that comes back to ScanLogin itself; open authorizeUrl in a browser");
        tries.MapGet("/{tryLoginId}", GetAsync).WithName("GetTryLogin")
            .WithSummary("How the try login went: pending, signed_in (the user and the ID token's claims) or failed");
        return admin;
    }

    /// <summary>The public callback the try's authorization comes back to (outside /admin/v1: the browser brings no key).</summary>
    public static IEndpointRouteBuilder MapTryLoginCallback(this IEndpointRouteBuilder app)
    {
        app.MapGet("/oidc/{poolId}" + CallbackPath, CallbackAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// For the authorize endpoint: is this redirect URI the pool's try-login callback, and does the state name a try opened
    /// for this client with this code challenge that has not been used yet? Admits it once.
    /// </summary>
    public static async Task<bool> AdmitsAsync(IClusterClient cluster, string poolId, string clientId, string redirectUri, string? state, string? codeChallenge)
    {
        if (!Secrets.IsWellFormedId(state) || codeChallenge is null) return false;
        if (await OidcIssuer.OfAsync(cluster, poolId) is not { } issuer || redirectUri != issuer + CallbackPath) return false;
        return await cluster.GetGrain<ITryLoginGrain>(state!).AdmitAuthorizationAsync(poolId, clientId, redirectUri, codeChallenge);
    }

    private static async Task<Results<Created<TryLoginOpened>, ProblemHttpResult>> OpenAsync(string poolId, string appId, TryLoginRequest request, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || appId.Length > 64) return AdminHttp.NotFound();
        var app = await cluster.GetGrain<IApplicationGrain>(appId).GetAsync();
        if (app is null || app.PoolId != poolId) return AdminHttp.NotFound();
        if (request.IdentitySource is { } named && (named.Length is 0 or >= 32 || !named.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            return ApiProblems.Invalid("identitySource", "The identifier of an identity source of this pool.");
        if (await OidcIssuer.OfAsync(cluster, poolId) is not { } issuer)
            return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "unavailable", "The pool's issuer is not published yet; try again.");

        var id = Secrets.NewId();
        var verifier = Secrets.NewSecret();
        var challenge = Secrets.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var redirectUri = issuer + CallbackPath;
        var opened = await cluster.GetGrain<ITryLoginGrain>(id).OpenAsync(
            new TryLoginOpening(poolId, appId, request.IdentitySource ?? "", redirectUri, verifier, challenge));
        if (opened.Value is not { } view) return AdminHttp.Problem(opened.Failure!);
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = appId, ["redirect_uri"] = redirectUri, ["scope"] = "openid profile phone",
            ["state"] = id, ["nonce"] = Secrets.NewId(), ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
            ["identity_source"] = request.IdentitySource,
        };
        var authorize = QueryHelpers.AddQueryString(issuer + "/authorize", query.Where(kv => kv.Value is not null)!);
        return TypedResults.Created($"/admin/v1/pools/{poolId}/applications/{appId}/try-login/{id}", new TryLoginOpened(id, authorize, view.ExpiresAt));
    }

    private static async Task<Results<JsonHttpResult<Dictionary<string, object?>>, ProblemHttpResult>> GetAsync(string poolId, string appId, string tryLoginId, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || !Secrets.IsWellFormedId(tryLoginId)) return AdminHttp.NotFound();
        var view = await cluster.GetGrain<ITryLoginGrain>(tryLoginId).GetAsync();
        if (view is null || view.PoolId != poolId || view.AppId != appId) return AdminHttp.NotFound();
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new Dictionary<string, object?>
        {
            ["tryLoginId"] = tryLoginId, ["status"] = view.Status, ["identitySource"] = view.IdentitySource, ["expiresAt"] = view.ExpiresAt,
            ["user"] = view.Result?.UserJson is { } user ? JsonDocument.Parse(user).RootElement : null,
            ["claims"] = view.Result?.ClaimsJson is { } claims ? JsonDocument.Parse(claims).RootElement : null,
            ["error"] = view.Result?.Error, ["errorDescription"] = view.Result?.ErrorDescription,
        });
    }

    /// <summary>What the hosted login sends back to the try-login callback (RFC 6749 4.1.2 and 4.1.2.1).</summary>
    public sealed record TryLoginCallback(string? Code, string? State, string? Error, [property: FromQuery(Name = "error_description")] string? ErrorDescription)
    {
        public override string ToString() => $"TryLoginCallback {{ Error = {Error}, ErrorDescription = {ErrorDescription} }}";
    }

    private static async Task<CallbackPage> CallbackAsync(string poolId, [AsParameters] TryLoginCallback callback, HttpContext http, IClusterClient cluster)
    {
        var (code, state, error, error_description) = callback;
        var text = LoginText.For(LoginText.Resolve(null, http.Request.Headers.AcceptLanguage));
        if (!HostedLoginApi.IsSafeId(poolId) || !Secrets.IsWellFormedId(state)) return Page(400, text.TryLoginNotWaiting);
        var grain = cluster.GetGrain<ITryLoginGrain>(state!);
        var begun = await grain.BeginRedemptionAsync(poolId);
        if (begun.Value is not { } opening) return Page(400, text.TryLoginNotWaiting);
        if (error is not null || code is not { Length: <= 128 } || code.Split('.') is not [var requestId, _] || !Secrets.IsWellFormedId(requestId))
        {
            await grain.FinishAsync(new TryLoginResult(null, null, Truncate(error) ?? "invalid_request", Truncate(error_description)));
            return Page(200, text.TryLoginNotFinished);
        }
        var redeemed = await cluster.GetGrain<IAuthorizationGrain>(requestId).RedeemAsync(
            new CodeRedemption(code, opening.AppId, opening.RedirectUri, opening.CodeVerifier, ClientAuthenticated: false));
        if (redeemed.Value is not { } grant || grant.PoolId != poolId)
        {
            await grain.FinishAsync(new TryLoginResult(null, null, "invalid_grant", redeemed.Failure?.Message ?? "The code belongs to another pool."));
            return Page(200, text.TryLoginNotFinished);
        }
        var issued = await cluster.GetGrain<ITokenIssuerGrain>(poolId).IssueTokensAsync(new TokenRequest(opening.AppId, grant.User, grant.Scopes, grant.Nonce,
            grant.AuthTime, [TokenRequest.WeChatScanMethod], grant.IdentitySource));
        if (issued.Value is not { } tokens)
        {
            await grain.FinishAsync(new TryLoginResult(null, null, "temporarily_unavailable", issued.Failure!.Message));
            return Page(200, text.TryLoginNotFinished);
        }
        var payload = tokens.IdToken.Split('.')[1];
        var claims = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(payload));
        var user = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = grant.User.Id, ["nickname"] = grant.User.Nickname, ["avatarUrl"] = grant.User.AvatarUrl, ["phone"] = grant.User.Phone,
            ["createdAt"] = grant.User.CreatedAt, ["identitySource"] = grant.IdentitySource,
        });
        await grain.FinishAsync(new TryLoginResult(user, claims, null, null));
        return Page(200, text.TryLoginSignedIn);
    }

    private static string? Truncate(string? value) => value is { Length: > 200 } ? value[..200] : value;

    private static CallbackPage Page(int status, string message) => new(status, message);

    /// <summary>A script-free page under the login pages' headers: the pop-up's last stop.</summary>
    internal sealed class CallbackPage(int status, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            LoginPageHeaders.Apply(http.Response);
            http.Response.ContentType = "text/html; charset=utf-8";
            var encoded = WebUtility.HtmlEncode(message);
            return http.Response.WriteAsync($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
                                            $"<title>ScanLogin</title></head><body><main><p id=\"try-login-result\" role=\"status\">{encoded}</p></main></body></html>");
        }
    }
}
