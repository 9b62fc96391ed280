using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScanLogin.WeChatEmulator;

/// <summary>
/// WeChat's documented server endpoints, same paths, fields and errcodes. Like WeChat, every error is
/// HTTP 200 with {"errcode","errmsg"}; only the mini-program code answers with image bytes on success.
/// </summary>
public static class WeChatApiEndpoints
{
    private static readonly string ScenePunctuation = "!#$&'()*+,/:;=?@-._~";

    public static IEndpointRouteBuilder MapWeChatApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sns/jscode2session", (EmulatorState state, string? appid, string? secret, string? js_code, string? grant_type) =>
        {
            state.CountSessionRequest(appid);
            if (state.CheckApp(appid, secret) is not 0 and var appError) return Error(appError);
            if (grant_type != "authorization_code") return Error(40002, "invalid grant_type");
            if (state.TakeFault("jscode2session") is { } fault) return Error(fault);
            var (err, user) = state.Redeem(CodeKind.Login, js_code, appid!, rateLimited: true);
            if (err != 0) return Error(err);
            return Results.Json(new SessionAnswer(user!.OpenId, Convert.ToBase64String(Guid.NewGuid().ToByteArray()), user.UnionId));
        });

        app.MapPost("/cgi-bin/stable_token", async (EmulatorState state, HttpRequest request) =>
        {
            if (state.TakeFault("stable_token") is { } fault) return Error(fault);
            StableTokenBody? body;
            try { body = await JsonSerializer.DeserializeAsync<StableTokenBody>(request.Body); }
            catch (JsonException) { return Error(47001); }
            if (body is null) return Error(47001);
            state.CountTokenRequest(body.AppId);
            if (body.GrantType != "client_credential") return Error(40002, "invalid grant_type");
            if (state.CheckApp(body.AppId, body.Secret) is not 0 and var appError) return Error(appError);
            var (err, token, expiresIn) = state.StableToken(body.AppId!, body.ForceRefresh);
            return err != 0 ? Error(err) : Results.Json(new TokenAnswer(token!, expiresIn));
        });

        app.MapGet("/cgi-bin/token", (EmulatorState state, string? grant_type, string? appid, string? secret) =>
        {
            state.CountTokenRequest(appid);
            if (grant_type != "client_credential") return Error(40002, "invalid grant_type");
            if (state.CheckApp(appid, secret) is not 0 and var appError) return Error(appError);
            return Results.Json(new TokenAnswer(state.ReplaceToken(appid!), (int)EmulatorState.TokenLifetime.TotalSeconds));
        });

        app.MapPost("/wxa/business/getuserphonenumber", async (EmulatorState state, HttpRequest request, string? access_token) =>
        {
            var (tokenError, appId) = state.CheckToken(access_token);
            if (appId is null) return Error(tokenError);
            if (state.TakeFault("getuserphonenumber") is { } fault) return Error(fault);
            PhoneBody? body;
            try { body = await JsonSerializer.DeserializeAsync<PhoneBody>(request.Body); }
            catch (JsonException) { return Error(47001); }
            var (err, user) = state.Redeem(CodeKind.Phone, body?.Code, appId, body?.OpenId);
            if (err != 0) return Error(err);
            // WeChat issues phone-number codes only to users who have a number; ours may lack one.
            if (user!.PhoneNumber is not { Length: > 0 } phone) return Error(40029, "user has no phone number");
            var full = user.CountryCode == "86" ? phone : $"+{user.CountryCode}{phone}";
            return Results.Json(new PhoneAnswer(0, "ok",
                new PhoneInfo(full, phone, user.CountryCode, new Watermark(state.Now.ToUnixTimeSeconds(), appId))));
        });

        app.MapPost("/wxa/getwxacodeunlimit", async (EmulatorState state, HttpRequest request, string? access_token) =>
        {
            var (tokenError, appId) = state.CheckToken(access_token);
            if (appId is null) return Error(tokenError);
            await state.WaitIfHeldAsync(appId, request.HttpContext.RequestAborted);
            if (state.TakeFault("getwxacodeunlimit") is { } fault) return Error(fault);
            CodeBody? body;
            try { body = await JsonSerializer.DeserializeAsync<CodeBody>(request.Body); }
            catch (JsonException) { return Error(47001); }
            if (body?.Scene is not { Length: > 0 and <= 32 } scene || !scene.All(c => char.IsAsciiLetterOrDigit(c) || ScenePunctuation.Contains(c)))
                return Error(40097, "invalid scene");
            if (body.Page is { } page && (page.StartsWith('/') || page.Contains('?'))) return Error(41030, "invalid page");
            if (body.EnvVersion is not (null or "release" or "trial" or "develop")) return Error(40097, "invalid env_version");
            if (!state.TryCountCodeImage(appId, scene)) return Error(45009);
            var width = Math.Clamp(body.Width ?? 430, 280, 1280); // WeChat clamps rather than refuses
            return Results.File(StandInCode.Render(scene, width), "image/png");
        });
        return app;
    }

    internal static IResult Error(int errcode, string? errmsg = null) =>
        Results.Json(new ErrorAnswer(errcode, errmsg ?? errcode switch
        {
            -1 => "system error",
            40001 => "invalid credential, access_token is invalid or not latest",
            40013 => "invalid appid",
            40029 => "invalid code",
            40125 => "invalid appsecret",
            40163 => "code been used",
            40226 => "high risk user",
            42001 => "access_token expired",
            45009 => "reach max api daily quota limit",
            45011 => "api minute-quota reach limit, mustslower retry next minute",
            47001 => "data format error",
            _ => "error",
        }));

    private sealed record ErrorAnswer([property: JsonPropertyName("errcode")] int ErrCode, [property: JsonPropertyName("errmsg")] string ErrMsg);

    private sealed record SessionAnswer(
        [property: JsonPropertyName("openid")] string OpenId,
        [property: JsonPropertyName("session_key")] string SessionKey,
        [property: JsonPropertyName("unionid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UnionId);

    private sealed record TokenAnswer([property: JsonPropertyName("access_token")] string AccessToken, [property: JsonPropertyName("expires_in")] int ExpiresIn);

    private sealed record PhoneAnswer(
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string ErrMsg,
        [property: JsonPropertyName("phone_info")] PhoneInfo PhoneInfo);

    private sealed record PhoneInfo(
        [property: JsonPropertyName("phoneNumber")] string PhoneNumber,
        [property: JsonPropertyName("purePhoneNumber")] string PurePhoneNumber,
        [property: JsonPropertyName("countryCode")] string CountryCode,
        [property: JsonPropertyName("watermark")] Watermark Watermark);

    private sealed record Watermark([property: JsonPropertyName("timestamp")] long Timestamp, [property: JsonPropertyName("appid")] string AppId);

    private sealed record StableTokenBody(
        [property: JsonPropertyName("grant_type")] string? GrantType,
        [property: JsonPropertyName("appid")] string? AppId,
        [property: JsonPropertyName("secret")] string? Secret,
        [property: JsonPropertyName("force_refresh")] bool ForceRefresh);

    private sealed record PhoneBody([property: JsonPropertyName("code")] string? Code, [property: JsonPropertyName("openid")] string? OpenId);

    private sealed record CodeBody(
        [property: JsonPropertyName("scene")] string? Scene,
        [property: JsonPropertyName("page")] string? Page,
        [property: JsonPropertyName("env_version")] string? EnvVersion,
        [property: JsonPropertyName("width")] int? Width);
}

/// <summary>A round stand-in for WeChat's mini-program code: rings and a pattern derived from the scene. Not decodable.</summary>
internal static class StandInCode
{
    public static byte[] Render(string scene, int width)
    {
        var seed = scene.Aggregate(17, (h, c) => h * 31 + c);
        var centre = width / 2.0;
        return PngWriter.Grayscale(width, width, (x, y) =>
        {
            var dx = x - centre;
            var dy = y - centre;
            var r = Math.Sqrt(dx * dx + dy * dy) / centre;
            if (r > 0.98) return 255;
            if (r < 0.3) return (byte)(r < 0.26 ? 230 : 0);
            var ray = (int)((Math.Atan2(dy, dx) + Math.PI) / (2 * Math.PI) * 64);
            var ring = (int)(r * 12);
            return ((seed >> ((ray + ring) % 31)) & 1) == 1 ? (byte)0 : (byte)255;
        });
    }
}
