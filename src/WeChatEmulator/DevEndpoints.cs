namespace ScanLogin.WeChatEmulator;

/// <summary>
/// The emulator's own endpoints, standing in for the phone: create WeChat users of a mini program and get
/// the codes wx.login and the phone-number button would give them. Normal HTTP statuses here.
/// </summary>
public static class DevEndpoints
{
    public sealed record MiniProgramBody(string? AppId, string? AppSecret);
    public sealed record UserBody(string? AppId, string? Nickname, string? PhoneNumber, string? CountryCode, string? UnionId, bool WithUnionId = false);
    public sealed record CodeBody(string? AppId, string? OpenId);
    public sealed record FaultBody(string? Api, int? ErrCode, int? Times);
    public sealed record AppBody(string? AppId);

    /// <summary>The APIs a fault can be injected into.</summary>
    public static readonly string[] FaultableApis = ["jscode2session", "stable_token", "getuserphonenumber", "getwxacodeunlimit", "generate_urllink", "generatescheme"];

    public static IEndpointRouteBuilder MapEmulatorDevApi(this IEndpointRouteBuilder app)
    {
        var dev = app.MapGroup("/__emulator");
        dev.MapGet("/", () => Results.Json(new
        {
            emulator = "WeChat server API emulator (ScanLogin dev tool)",
            wechatEndpoints = new[] { "GET /sns/jscode2session", "POST /cgi-bin/stable_token", "GET /cgi-bin/token",
                "POST /wxa/business/getuserphonenumber", "POST /wxa/getwxacodeunlimit", "POST /wxa/generate_urllink", "POST /wxa/generatescheme",
                "POST /wxa/query_urllink", "POST /wxa/queryscheme" },
            devEndpoints = new[] { "POST /__emulator/mini-programs {appId, appSecret}",
                "POST /__emulator/users {appId, nickname?, phoneNumber?, countryCode?, unionId?, withUnionId?}",
                "POST /__emulator/login-code {appId, openId}  (what wx.login returns)",
                "POST /__emulator/phone-code {appId, openId}  (what the phone-number button returns)",
                "GET /__emulator/codes?appId=  (scenes of the mini-program codes generated so far)",
                "GET /__emulator/mini-programs, GET /__emulator/users?appId=",
                "GET /__emulator/phone  (the phone simulator page: scan, confirm or cancel a ticket in a browser)",
                "GET /__emulator/token-requests?appId=  (access-token requests so far, answered or refused)",
                "GET /__emulator/session-requests?appId=  (jscode2session calls so far, answered or refused)",
                "POST /__emulator/faults {api, errCode, times?}  (the next calls of an API answer errCode: -1 busy, 40029, 40163, 40226 high-risk, 45011 rate limit, ...)",
                "DELETE /__emulator/faults",
                "POST /__emulator/holds {appId}  (that mini program's code-image calls hang until DELETE /__emulator/holds?appId=; GET tells how many wait)",
                "POST /__emulator/expire-tokens {appId}  (access tokens expire now: 42001 until refreshed)",
                "GET /__emulator/links?appId=  (URL Links and Schemes made so far), GET /__emulator/links/open?url=  (a user opens one: where it lands, 410 once expired)" },
        }));

        dev.MapPost("/mini-programs", (EmulatorState state, MiniProgramBody body) =>
        {
            if (body.AppId is not { Length: > 0 } || body.AppSecret is not { Length: > 0 }) return Problem(400, "appId and appSecret are required");
            return state.AddApp(body.AppId, body.AppSecret)
                ? Results.Json(new { appId = body.AppId }, statusCode: 201)
                : Problem(409, "this appId is registered with another secret");
        });

        dev.MapPost("/users", (EmulatorState state, UserBody body) =>
        {
            if (body.AppId is not { Length: > 0 } appId || state.CheckApp(appId, null) == 40013) return Problem(404, "unknown appId");
            var unionId = body.UnionId ?? (body.WithUnionId ? "u" + Guid.NewGuid().ToString("N")[..27] : null);
            var user = state.AddUser(appId, body.Nickname, body.PhoneNumber, body.CountryCode ?? "86", unionId);
            return Results.Json(user, statusCode: 201);
        });

        dev.MapGet("/codes", (EmulatorState state, string appId) => Results.Json(new { appId, scenes = state.ScenesOf(appId) }));
        dev.MapGet("/token-requests", (EmulatorState state, string appId) => Results.Json(new { appId, count = state.TokenRequestsOf(appId) }));
        dev.MapGet("/session-requests", (EmulatorState state, string appId) => Results.Json(new { appId, count = state.SessionRequestsOf(appId) }));

        dev.MapPost("/faults", (EmulatorState state, FaultBody body) =>
        {
            if (body.Api is not { } api || !FaultableApis.Contains(api)) return Problem(400, "api must be one of " + string.Join(", ", FaultableApis));
            if (body.ErrCode is not { } code || code == 0) return Problem(400, "errCode is required and not 0");
            if (body.Times is < 1 or > 1000) return Problem(400, "times is 1 to 1000");
            state.AddFault(api, code, body.Times ?? 1);
            return Results.Json(new { api, errCode = code, times = body.Times ?? 1 }, statusCode: 201);
        });
        dev.MapDelete("/faults", (EmulatorState state) => { state.ClearFaults(); return Results.NoContent(); });
        dev.MapPost("/holds", (EmulatorState state, AppBody body) =>
        {
            if (body.AppId is not { Length: > 0 } appId) return Problem(400, "appId is required");
            state.Hold(appId);
            return Results.Json(new { appId }, statusCode: 201);
        });
        dev.MapGet("/holds", (EmulatorState state, string appId) => Results.Json(new { appId, waiting = state.HeldOf(appId) }));
        dev.MapDelete("/holds", (EmulatorState state, string appId) => { state.Release(appId); return Results.NoContent(); });
        dev.MapPost("/expire-tokens", (EmulatorState state, AppBody body) =>
            body.AppId is { Length: > 0 } appId ? Results.Json(new { appId, expired = state.ExpireTokens(appId) }) : Problem(400, "appId is required"));

        dev.MapPost("/login-code", (EmulatorState state, CodeBody body) => Issue(state, body, CodeKind.Login));
        dev.MapPost("/phone-code", (EmulatorState state, CodeBody body) => Issue(state, body, CodeKind.Phone));
        return app;
    }

    private static IResult Issue(EmulatorState state, CodeBody body, CodeKind kind) =>
        body.AppId is { } appId && body.OpenId is { } openId && state.FindUser(appId, openId) is { } user
            ? Results.Json(new { code = state.IssueCode(kind, user) })
            : Problem(404, "unknown appId or openId");

    private static IResult Problem(int status, string message) => Results.Json(new { error = status == 404 ? "not_found" : "invalid", message }, statusCode: status);
}
