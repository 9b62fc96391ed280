using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// Login inside a company's own mini program: a wx.login code (and optionally a phone-number code) for one of the pool's
/// identity sources and applications answers the pool's tokens for the same user a PC scan finds, under the same
/// account policy. The rules are the silo's (<see cref="IMiniProgramLoginGrain"/>); this translates and limits.
/// </summary>
public static class MiniProgramLoginApi
{
    public const string SignedIn = "signed_in";
    public const string BindingRequired = "binding_required";

    public static IEndpointRouteBuilder MapMiniProgramLoginApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/mini-program/login", LoginAsync).WithTags("Mini program").WithName("MiniProgramLogin")
            .WithSummary("Sign in inside the mini program: a wx.login code (and optionally a phone-number code) for the pool's tokens")
            .WithDescription("The code must come from the identity source's own mini program. `status` is `signed_in` (with `user`, `idToken`, " +
                             "`accessToken`) or `binding_required` (the source asks for binding: `canRegister`, `phoneShared`). Refusals: " +
                             "`account_not_found` (login-only source), `user_blocked`, `wechat_*`, `rate_limited` (429 with Retry-After).");
        return app;
    }

    private static async Task<Results<Ok<MiniProgramLoginResponse>, ProblemHttpResult>> LoginAsync(MiniProgramLoginBody body, HttpContext http,
        IClusterClient cluster)
    {
        if (Check(body) is { } invalid) return ApiProblems.Invalid(invalid.Field, invalid.Rule);
        // Pool, identity source and application ids are the caller's to invent: ids the cluster lately did not know are
        // answered from memory, and each new one spends a permit of the address.
        var unknown = http.RequestServices.GetRequiredService<UnknownIds>();
        if (UnknownIds.RefusalOf(http) is { } tooManyUnknown) return tooManyUnknown.ToProblem(http);
        var sourceKey = IdentitySourceSettings.KeyOf(body.PoolId!, body.IdentitySource!);
        if (unknown.IsKnownUnknown(UnknownIds.Source, sourceKey)) return UnknownIds.NotFound(UnknownIds.Source, sourceKey);
        // The application before any bucket named after it: an invented one is counted against the address, not given buckets.
        if (await unknown.ApplicationAsync(http, cluster, body.AppId!) is null) return UnknownIds.NotFound(UnknownIds.Application, body.AppId!);
        if (await LimitAsync(http, body.AppId!) is { } tooMany) return tooMany.ToProblem(http);

        var grain = cluster.GetGrain<IMiniProgramLoginGrain>(sourceKey);
        var outcome = await grain.LoginAsync(new MiniProgramLoginRequest(body.AppId!, body.LoginCode!, body.PhoneCode is { Length: > 0 } p ? p : null));
        if (outcome.Value is not { } result)
        {
            await unknown.RememberIfMissingAsync(http, outcome.Failure, UnknownIds.Source, sourceKey);
            return ApiProblems.From(outcome.Failure!);
        }
        return TypedResults.Ok(result is { User: { } user, Tokens: { } tokens }
            ? new MiniProgramLoginResponse(SignedIn, UserView.From(user), tokens.IdToken, tokens.AccessToken, "Bearer", tokens.Stamp.ExpiresAt, null, null)
            : new MiniProgramLoginResponse(BindingRequired, null, null, null, null, null, result.CanRegister, result.PhoneShared));
    }

    /// <summary>Per address and application, then per application; the per-WeChat-user count is the silo's, once WeChat named the user.</summary>
    private static async ValueTask<LimitRefusal?> LimitAsync(HttpContext http, string appId)
    {
        var limiter = AbuseLimits.Limiter(http);
        if (await limiter.TakeAsync(RateLimitKeys.MiniProgramLoginsPerClientIp, appId, AbuseLimits.ClientKey(http)) is { Allowed: false } ip)
            return new(AbuseLimits.RateLimited, "Too many mini-program logins from this address.", ip);
        if (await limiter.TakeAsync(RateLimitKeys.MiniProgramLoginsPerApplication, appId, appId) is { Allowed: false } app)
            return new(AbuseLimits.RateLimited, "This application has too many mini-program logins; try again shortly.", app);
        return null;
    }

    internal static (string Field, string Rule)? Check(MiniProgramLoginBody body)
    {
        if (body.PoolId is not { } pool || !Identifiers.IsAppId(pool)) return ("poolId", "Required: the user pool's id.");
        if (body.IdentitySource is not { } source || !Identifiers.IsIdentifier(source))
            return ("identitySource", "Required: the identity source's identifier (lowercase letters, digits and '-', shorter than 32).");
        if (body.AppId is not { } appId || !Identifiers.IsAppId(appId)) return ("appId", "Required: the application's id.");
        // The same rules as the phone's scan and confirm.
        if (MiniProgramApi.CheckScan(new ScanTicketRequest(body.LoginCode, null, null)) is { } badCode) return badCode;
        if (body.PhoneCode is { Length: > 128 }) return ("phoneCode", "At most 128 characters.");
        return null;
    }
}

/// <summary>A login inside the mini program: which pool, identity source and application, and the codes from wx.login and the phone button.</summary>
public sealed record MiniProgramLoginBody(string? PoolId, string? IdentitySource, string? AppId, string? LoginCode, string? PhoneCode)
{
    public override string ToString() => $"MiniProgramLoginBody {{ PoolId = {PoolId}, IdentitySource = {IdentitySource}, AppId = {AppId} }}";
}

/// <summary>
/// <c>signed_in</c> with the user and the pool's tokens (as an exchange answers), or <c>binding_required</c> with what the
/// mini program may offer next: <see cref="CanRegister"/>, and whether a phone number was shared.
/// </summary>
public sealed record MiniProgramLoginResponse(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UserView? User,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IdToken,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AccessToken,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? CanRegister,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? PhoneShared)
{
    public override string ToString() => $"MiniProgramLoginResponse {{ Status = {Status}, User = {User}, ExpiresAt = {ExpiresAt:O} }}";
}
