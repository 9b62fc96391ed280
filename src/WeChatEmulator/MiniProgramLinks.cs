using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScanLogin.WeChatEmulator;

/// <summary>
/// WeChat's links that open a mini program from outside it: <c>wxa/generate_urllink</c> (an https://wxaurl.cn/... URL Link)
/// and <c>wxa/generatescheme</c> (a weixin://dl/business/?t=... URL Scheme), with their query twins, WeChat's fields and
/// errcodes: 40165 invalid path, 40212 invalid query, 85401 expire_time not between 1 minute and 30 days, 85402
/// expire_interval not 1 to 30 days, 44990 more than 100 a second, 45009 the daily quota. Every link expires
/// (is_expire is ignored, as WeChat now does). A dev endpoint plays the user who opens one.
/// </summary>
public sealed class EmulatedLinks(EmulatorState state)
{
    public const int PerSecond = 100;
    public const int PerDay = 500_000;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);
    private const string QueryCharacters = "!#$&'()*+,/:;=?@-._~%";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, EmulatedLink> _links = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recent = [];
    private readonly Dictionary<string, (DateOnly Day, int Count)> _daily = [];

    /// <summary>Validates and makes a link: 0 and the link, or WeChat's errcode and message.</summary>
    public (int ErrCode, string? ErrMsg, EmulatedLink? Link) Generate(string appId, LinkKind kind, LinkBody body)
    {
        var now = state.Now;
        if (body.Path is { Length: > 0 } path && (path.StartsWith('/') || path.Length > 256
            || !path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '.')))
            return (40165, "invalid weapp pagepath", null);
        if (body.Query is { } query && (query.Length > 1024 || !query.All(c => char.IsAsciiLetterOrDigit(c) || QueryCharacters.Contains(c))))
            return (40212, "invalid query", null);
        if (body.EnvVersion is not (null or "release" or "trial" or "develop")) return (40097, "invalid env_version", null);
        DateTimeOffset expiresAt;
        switch (body.ExpireType ?? 0)
        {
            case 0:
                if (body.ExpireTime is not { } at || at <= (now + TimeSpan.FromMinutes(1)).ToUnixTimeSeconds() || at > (now + MaxLifetime).ToUnixTimeSeconds())
                    return (85401, "time limit between 1min and 30days", null);
                expiresAt = DateTimeOffset.FromUnixTimeSeconds(at);
                break;
            case 1:
                if (body.ExpireInterval is not (>= 1 and <= 30) || body.ExpireInterval is not { } days) return (85402, "invalid expire_interval, must be between 1 and 30 days", null);
                expiresAt = now + TimeSpan.FromDays(days);
                break;
            default:
                return (40097, "invalid expire_type", null);
        }
        lock (_gate)
        {
            var window = _recent.TryGetValue(appId, out var w) ? w : _recent[appId] = new Queue<DateTimeOffset>();
            while (window.Count > 0 && now - window.Peek() >= TimeSpan.FromSeconds(1)) window.Dequeue();
            if (window.Count >= PerSecond) return (44990, "generate too frequently, more than 100 per second", null);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var (day, count) = _daily.GetValueOrDefault(appId);
            if (day != today) count = 0;
            if (count >= PerDay) return (45009, "reach max api daily quota limit", null);
            window.Enqueue(now);
            _daily[appId] = (today, count + 1);
            var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            var url = kind == LinkKind.UrlLink ? "https://wxaurl.cn/" + token : "weixin://dl/business/?t=" + token;
            var link = new EmulatedLink(url, kind, appId, body.Path ?? "", body.Query ?? "", body.EnvVersion ?? "release", now, expiresAt);
            _links[url] = link;
            return (0, null, link);
        }
    }

    public EmulatedLink? Find(string? url)
    {
        lock (_gate) return url is not null && _links.TryGetValue(url, out var link) ? link : null;
    }

    /// <summary>Every link made for an AppID, oldest first.</summary>
    public EmulatedLink[] Of(string appId)
    {
        lock (_gate) return _links.Values.Where(l => l.AppId == appId).OrderBy(l => l.CreatedAt).ToArray();
    }

    public bool IsExpired(EmulatedLink link) => state.Now >= link.ExpiresAt;
}

public enum LinkKind { UrlLink, Scheme }

public sealed record EmulatedLink(string Url, LinkKind Kind, string AppId, string Path, string Query, string EnvVersion, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>What both generators take (generatescheme nests path, query and env_version in jump_wxa).</summary>
public sealed record LinkBody(string? Path, string? Query, string? EnvVersion, int? ExpireType, long? ExpireTime, int? ExpireInterval);

public static class MiniProgramLinkEndpoints
{
    public static IEndpointRouteBuilder MapMiniProgramLinks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/wxa/generate_urllink", async (EmulatorState state, EmulatedLinks links, HttpRequest request, string? access_token) =>
        {
            var (tokenError, appId) = state.CheckToken(access_token);
            if (appId is null) return WeChatApiEndpoints.Error(tokenError);
            if (state.TakeFault("generate_urllink") is { } fault) return WeChatApiEndpoints.Error(fault);
            UrlLinkBody? body;
            try { body = await JsonSerializer.DeserializeAsync<UrlLinkBody>(request.Body); }
            catch (JsonException) { return WeChatApiEndpoints.Error(47001); }
            if (body is null) return WeChatApiEndpoints.Error(47001);
            var (err, message, link) = links.Generate(appId, LinkKind.UrlLink,
                new LinkBody(body.Path, body.Query, body.EnvVersion, body.ExpireType, body.ExpireTime, body.ExpireInterval));
            return err != 0 ? WeChatApiEndpoints.Error(err, message) : Results.Json(new UrlLinkAnswer(0, "ok", link!.Url));
        });

        app.MapPost("/wxa/generatescheme", async (EmulatorState state, EmulatedLinks links, HttpRequest request, string? access_token) =>
        {
            var (tokenError, appId) = state.CheckToken(access_token);
            if (appId is null) return WeChatApiEndpoints.Error(tokenError);
            if (state.TakeFault("generatescheme") is { } fault) return WeChatApiEndpoints.Error(fault);
            SchemeBody? body;
            try { body = await JsonSerializer.DeserializeAsync<SchemeBody>(request.Body); }
            catch (JsonException) { return WeChatApiEndpoints.Error(47001); }
            if (body is null) return WeChatApiEndpoints.Error(47001);
            var (err, message, link) = links.Generate(appId, LinkKind.Scheme,
                new LinkBody(body.JumpWxa?.Path, body.JumpWxa?.Query, body.JumpWxa?.EnvVersion, body.ExpireType, body.ExpireTime, body.ExpireInterval));
            return err != 0 ? WeChatApiEndpoints.Error(err, message) : Results.Json(new SchemeAnswer(0, "ok", link!.Url));
        });

        app.MapPost("/wxa/query_urllink", async (EmulatorState state, EmulatedLinks links, HttpRequest request, string? access_token) =>
        {
            var (tokenError, appId) = state.CheckToken(access_token);
            if (appId is null) return WeChatApiEndpoints.Error(tokenError);
            var body = await ReadAsync<QueryUrlLinkBody>(request);
            if (links.Find(body?.UrlLink) is not { Kind: LinkKind.UrlLink } link || link.AppId != appId) return WeChatApiEndpoints.Error(40097, "invalid url_link");
            return Results.Json(new { errcode = 0, errmsg = "ok", url_link_info = Info(link) });
        });

        app.MapPost("/wxa/queryscheme", async (EmulatorState state, EmulatedLinks links, HttpRequest request, string? access_token) =>
        {
            var (tokenError, appId) = state.CheckToken(access_token);
            if (appId is null) return WeChatApiEndpoints.Error(tokenError);
            var body = await ReadAsync<QuerySchemeBody>(request);
            if (links.Find(body?.Scheme) is not { Kind: LinkKind.Scheme } link || link.AppId != appId) return WeChatApiEndpoints.Error(40097, "invalid scheme");
            return Results.Json(new { errcode = 0, errmsg = "ok", scheme_info = Info(link) });
        });

        // Dev: the user taps a link on a phone. Answers where the mini program opens, or 410 once the link has expired.
        app.MapGet("/__emulator/links/open", (EmulatedLinks links, string? url) =>
            links.Find(url) is not { } link ? Results.Json(new { error = "not_found", message = "no such link" }, statusCode: 404)
            : links.IsExpired(link) ? Results.Json(new { error = "expired", message = "the link has expired", expiresAt = link.ExpiresAt }, statusCode: 410)
            : Results.Json(new { appId = link.AppId, path = link.Path, query = link.Query, envVersion = link.EnvVersion, expiresAt = link.ExpiresAt }));
        app.MapGet("/__emulator/links", (EmulatedLinks links, string appId) =>
            Results.Json(new { appId, links = links.Of(appId).Select(l => new { url = l.Url, path = l.Path, query = l.Query, envVersion = l.EnvVersion, expiresAt = l.ExpiresAt }) }));
        return app;
    }

    private static object Info(EmulatedLink link) => new
    {
        appid = link.AppId, path = link.Path, query = link.Query, create_time = link.CreatedAt.ToUnixTimeSeconds(),
        expire_time = link.ExpiresAt.ToUnixTimeSeconds(), env_version = link.EnvVersion,
    };

    private static async Task<T?> ReadAsync<T>(HttpRequest request) where T : class
    {
        try { return await JsonSerializer.DeserializeAsync<T>(request.Body); }
        catch (JsonException) { return null; }
    }

    private sealed record UrlLinkBody(
        [property: JsonPropertyName("path")] string? Path,
        [property: JsonPropertyName("query")] string? Query,
        [property: JsonPropertyName("env_version")] string? EnvVersion,
        [property: JsonPropertyName("is_expire")] bool? IsExpire,
        [property: JsonPropertyName("expire_type")] int? ExpireType,
        [property: JsonPropertyName("expire_time")] long? ExpireTime,
        [property: JsonPropertyName("expire_interval")] int? ExpireInterval);

    private sealed record JumpWxa(
        [property: JsonPropertyName("path")] string? Path,
        [property: JsonPropertyName("query")] string? Query,
        [property: JsonPropertyName("env_version")] string? EnvVersion);

    private sealed record SchemeBody(
        [property: JsonPropertyName("jump_wxa")] JumpWxa? JumpWxa,
        [property: JsonPropertyName("is_expire")] bool? IsExpire,
        [property: JsonPropertyName("expire_type")] int? ExpireType,
        [property: JsonPropertyName("expire_time")] long? ExpireTime,
        [property: JsonPropertyName("expire_interval")] int? ExpireInterval);

    private sealed record QueryUrlLinkBody([property: JsonPropertyName("url_link")] string? UrlLink);

    private sealed record QuerySchemeBody([property: JsonPropertyName("scheme")] string? Scheme);

    private sealed record UrlLinkAnswer(
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string ErrMsg,
        [property: JsonPropertyName("url_link")] string UrlLink);

    private sealed record SchemeAnswer(
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string ErrMsg,
        [property: JsonPropertyName("openlink")] string OpenLink);
}
