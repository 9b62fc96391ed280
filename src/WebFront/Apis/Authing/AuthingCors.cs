using System.Collections.Concurrent;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis.Authing;

/// <summary>
/// CORS for the Authing-compatible PC routes, as a browser with credentials needs it (the SDK's axios sets
/// withCredentials and custom x-authing-* headers, so every call is preflighted). A preflight names no application, so it
/// is answered for an origin some application allows, by its own endpoint (no handler runs); the real request then gets
/// <c>Access-Control-Allow-Origin</c> only when the application named by <c>x-authing-app-id</c> lists the origin.
/// </summary>
public sealed class AuthingCors(IClusterClient cluster, TimeProvider time)
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);
    private static readonly HashSet<string> PlainHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "authorization", "accept", "accept-language", "content-language", "idempotency-key",
    };

    private readonly ConcurrentDictionary<string, (bool Allowed, DateTimeOffset Until)> _origins = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Answers a preflight: 204, with the CORS headers only when the origin, method and headers are all acceptable.</summary>
    public async Task<IResult> PreflightAsync(HttpContext http)
    {
        var request = http.Request.Headers;
        var response = http.Response.Headers;
        response.Vary = "Origin";
        var origin = request.Origin.ToString();
        var method = request.AccessControlRequestMethod.ToString();
        var headers = request.AccessControlRequestHeaders.ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (origin.Length is > 0 and <= 256 && method is "GET" or "POST" && headers.All(IsAllowedHeader) && await IsKnownOriginAsync(origin))
        {
            response.AccessControlAllowOrigin = origin;
            response.AccessControlAllowCredentials = "true";
            response.AccessControlAllowMethods = "GET, POST";
            if (headers.Length > 0) response.AccessControlAllowHeaders = string.Join(", ", headers.Select(h => h.ToLowerInvariant()));
            response.AccessControlMaxAge = "600";
        }
        return TypedResults.NoContent();
    }

    /// <summary>Lets the page read this answer when the application lists the request's origin.</summary>
    public static void Allow(HttpContext http, ApplicationSettings? app)
    {
        http.Response.Headers.Vary = "Origin";
        var origin = http.Request.Headers.Origin.ToString();
        if (app is null || origin.Length == 0 || !app.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)) return;
        http.Response.Headers.AccessControlAllowOrigin = origin;
        http.Response.Headers.AccessControlAllowCredentials = "true";
    }

    /// <summary>The SDK's headers keep their x-authing- prefix even when renamed "for de-branding"; anything else must be plain.</summary>
    private static bool IsAllowedHeader(string name) =>
        PlainHeaders.Contains(name) || (name.StartsWith("x-authing-", StringComparison.OrdinalIgnoreCase) && name.Length <= 64
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));

    private async Task<bool> IsKnownOriginAsync(string origin)
    {
        var now = time.GetUtcNow();
        if (_origins.TryGetValue(origin, out var known) && known.Until > now) return known.Allowed;
        var allowed = await cluster.GetGrain<ICatalogGrain>(0).IsOriginAllowedAsync(origin);
        if (_origins.Count > 10_000) _origins.Clear(); // bounded: unknown origins cannot grow it without limit
        _origins[origin] = (allowed, now + RememberFor);
        return allowed;
    }
}
