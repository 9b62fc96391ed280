using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ScanLogin.Grains.WeChat;

/// <summary>
/// Talks to WeChat (or the emulator) over HTTP. WeChat reports errors in the body with HTTP 200, so every
/// answer is read for its errcode; anything that is not a readable answer counts as "busy" (-1).
/// </summary>
public sealed class WeChatApiClient(HttpClient http) : IWeChatApi
{
    public async Task<WeChatSession> Code2SessionAsync(WeChatAppCredentials app, string jsCode, CancellationToken ct = default)
    {
        var url = "sns/jscode2session?appid=" + Uri.EscapeDataString(app.AppId) + "&secret=" + Uri.EscapeDataString(app.AppSecret) +
                  "&js_code=" + Uri.EscapeDataString(jsCode) + "&grant_type=authorization_code";
        using var response = await http.GetAsync(url, ct);
        var body = await ReadAsync<SessionAnswer>(response, ct);
        if (body.OpenId is not { Length: > 0 } || body.SessionKey is not { Length: > 0 })
            throw new WeChatApiException(WeChatErrorCodes.Busy, "jscode2session answered without openid or session_key");
        return new WeChatSession(body.OpenId, string.IsNullOrEmpty(body.UnionId) ? null : body.UnionId, body.SessionKey);
    }

    public async Task<WeChatAccessToken> GetStableAccessTokenAsync(WeChatAppCredentials app, bool forceRefresh, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("cgi-bin/stable_token",
            new StableTokenRequest("client_credential", app.AppId, app.AppSecret, forceRefresh), Json, ct);
        var body = await ReadAsync<TokenAnswer>(response, ct);
        if (body.AccessToken is not { Length: > 0 } || body.ExpiresIn <= 0)
            throw new WeChatApiException(WeChatErrorCodes.Busy, "stable_token answered without a token");
        return new WeChatAccessToken(body.AccessToken, TimeSpan.FromSeconds(body.ExpiresIn));
    }

    public async Task<WeChatPhoneInfo> GetUserPhoneNumberAsync(string accessToken, string code, string? openId, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("wxa/business/getuserphonenumber?access_token=" + Uri.EscapeDataString(accessToken),
            new PhoneRequest(code, openId), Json, ct);
        var body = await ReadAsync<PhoneAnswer>(response, ct);
        if (body.PhoneInfo is not { PurePhoneNumber.Length: > 0 } info || info.Watermark is null)
            throw new WeChatApiException(WeChatErrorCodes.Busy, "getuserphonenumber answered without phone_info");
        return new WeChatPhoneInfo(info.PhoneNumber ?? info.PurePhoneNumber, info.PurePhoneNumber, info.CountryCode ?? "86",
            info.Watermark.AppId ?? "", info.Watermark.Timestamp);
    }

    public async Task<WeChatCodeImage> GetUnlimitedCodeAsync(string accessToken, WeChatCodeRequest request, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("wxa/getwxacodeunlimit?access_token=" + Uri.EscapeDataString(accessToken),
            new CodeRequest(request.Scene, request.Page, request.CheckPath, request.EnvVersion, request.Width), Json, ct);
        // Success is the image itself; failure is JSON. Only the content type tells them apart.
        var contentType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (response.IsSuccessStatusCode && contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
            return new WeChatCodeImage(await response.Content.ReadAsByteArrayAsync(ct), contentType);
        await ReadAsync<Answer>(response, ct);
        throw new WeChatApiException(WeChatErrorCodes.Busy, $"getwxacodeunlimit answered {contentType} without an image");
    }

    public async Task<string> GenerateUrlLinkAsync(string accessToken, WeChatLinkRequest request, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("wxa/generate_urllink?access_token=" + Uri.EscapeDataString(accessToken),
            new UrlLinkRequest(request.Path, request.Query, request.EnvVersion, ExpireType: 1, request.ExpireIntervalDays), Json, ct);
        var body = await ReadAsync<UrlLinkAnswer>(response, ct);
        if (body.UrlLink is not { Length: > 0 } link || !link.StartsWith("https://", StringComparison.Ordinal))
            throw new WeChatApiException(WeChatErrorCodes.Busy, "generate_urllink answered without an https url_link");
        return link;
    }

    public async Task<string> GenerateSchemeAsync(string accessToken, WeChatLinkRequest request, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("wxa/generatescheme?access_token=" + Uri.EscapeDataString(accessToken),
            new SchemeRequest(new JumpWxa(request.Path, request.Query, request.EnvVersion), ExpireType: 1, request.ExpireIntervalDays), Json, ct);
        var body = await ReadAsync<SchemeAnswer>(response, ct);
        if (body.OpenLink is not { Length: > 0 } link || !link.StartsWith("weixin://", StringComparison.Ordinal))
            throw new WeChatApiException(WeChatErrorCodes.Busy, "generatescheme answered without a weixin:// openlink");
        return link;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) where T : Answer
    {
        if ((int)response.StatusCode >= 500) throw new WeChatApiException(WeChatErrorCodes.Busy, $"HTTP {(int)response.StatusCode}");
        T? body;
        try
        {
            body = await response.Content.ReadFromJsonAsync<T>(Json, ct);
        }
        catch (JsonException)
        {
            throw new WeChatApiException(WeChatErrorCodes.Busy, "the answer is not JSON");
        }
        if (body is null) throw new WeChatApiException(WeChatErrorCodes.Busy, "empty answer");
        if (body.ErrCode is { } code and not 0) throw new WeChatApiException(code, body.ErrMsg ?? "");
        if (!response.IsSuccessStatusCode) throw new WeChatApiException(WeChatErrorCodes.Busy, $"HTTP {(int)response.StatusCode}");
        return body;
    }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private record Answer
    {
        [JsonPropertyName("errcode")] public int? ErrCode { get; init; }
        [JsonPropertyName("errmsg")] public string? ErrMsg { get; init; }
    }

    private sealed record SessionAnswer : Answer
    {
        public override string ToString() => $"SessionAnswer {{ ErrCode = {ErrCode}, OpenId = {OpenId}, UnionId = {UnionId} }}";

        [JsonPropertyName("openid")] public string? OpenId { get; init; }
        [JsonPropertyName("session_key")] public string? SessionKey { get; init; }
        [JsonPropertyName("unionid")] public string? UnionId { get; init; }
    }

    private sealed record TokenAnswer : Answer
    {
        public override string ToString() => $"TokenAnswer {{ ErrCode = {ErrCode}, ExpiresIn = {ExpiresIn} }}";

        [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
        [JsonPropertyName("expires_in")] public int ExpiresIn { get; init; }
    }

    private sealed record PhoneAnswer : Answer
    {
        [JsonPropertyName("phone_info")] public PhoneInfo? PhoneInfo { get; init; }
    }

    private sealed record PhoneInfo(
        [property: JsonPropertyName("phoneNumber")] string? PhoneNumber,
        [property: JsonPropertyName("purePhoneNumber")] string PurePhoneNumber,
        [property: JsonPropertyName("countryCode")] string? CountryCode,
        [property: JsonPropertyName("watermark")] Watermark? Watermark)
    {
        public override string ToString() => $"PhoneInfo {{ CountryCode = {CountryCode}, Watermark = {Watermark} }}";
    }

    private sealed record Watermark(
        [property: JsonPropertyName("timestamp")] long Timestamp,
        [property: JsonPropertyName("appid")] string? AppId);

    private sealed record StableTokenRequest(
        [property: JsonPropertyName("grant_type")] string GrantType,
        [property: JsonPropertyName("appid")] string AppId,
        [property: JsonPropertyName("secret")] string Secret,
        [property: JsonPropertyName("force_refresh")] bool ForceRefresh)
    {
        public override string ToString() => $"StableTokenRequest {{ AppId = {AppId}, ForceRefresh = {ForceRefresh} }}";
    }

    private sealed record PhoneRequest(
        [property: JsonPropertyName("code")] string Code,
        [property: JsonPropertyName("openid")] string? OpenId)
    {
        public override string ToString() => $"PhoneRequest {{ OpenId = {OpenId} }}";
    }

    private sealed record UrlLinkRequest(
        [property: JsonPropertyName("path")] string Path,
        [property: JsonPropertyName("query")] string Query,
        [property: JsonPropertyName("env_version")] string EnvVersion,
        [property: JsonPropertyName("expire_type")] int ExpireType,
        [property: JsonPropertyName("expire_interval")] int ExpireInterval);

    private sealed record JumpWxa(
        [property: JsonPropertyName("path")] string Path,
        [property: JsonPropertyName("query")] string Query,
        [property: JsonPropertyName("env_version")] string EnvVersion);

    private sealed record SchemeRequest(
        [property: JsonPropertyName("jump_wxa")] JumpWxa JumpWxa,
        [property: JsonPropertyName("expire_type")] int ExpireType,
        [property: JsonPropertyName("expire_interval")] int ExpireInterval);

    private sealed record UrlLinkAnswer : Answer
    {
        [JsonPropertyName("url_link")] public string? UrlLink { get; init; }
    }

    private sealed record SchemeAnswer : Answer
    {
        [JsonPropertyName("openlink")] public string? OpenLink { get; init; }
    }

    private sealed record CodeRequest(
        [property: JsonPropertyName("scene")] string Scene,
        [property: JsonPropertyName("page")] string? Page,
        [property: JsonPropertyName("check_path")] bool CheckPath,
        [property: JsonPropertyName("env_version")] string EnvVersion,
        [property: JsonPropertyName("width")] int Width);
}

/// <summary>Where WeChat is (section "WeChat"): the real API by default, the emulator in development and tests.</summary>
public sealed class WeChatOptions
{
    public const string Section = "WeChat";

    public string BaseAddress { get; set; } = "https://api.weixin.qq.com/";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}

public static class WeChatServiceCollectionExtensions
{
    public static IServiceCollection AddWeChatApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(WeChatOptions.Section).Get<WeChatOptions>() ?? new WeChatOptions();
        services.AddHttpClient<IWeChatApi, WeChatApiClient>(http =>
        {
            http.BaseAddress = new Uri(options.BaseAddress.EndsWith('/') ? options.BaseAddress : options.BaseAddress + "/");
            http.Timeout = options.Timeout;
        });
        return services;
    }
}
