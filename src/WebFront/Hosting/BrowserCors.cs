using System.Collections.Concurrent;
using Microsoft.AspNetCore.Cors.Infrastructure;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Hosting;

/// <summary>
/// CORS for the browser-facing ticket API: an origin is allowed when some application lists it among its allowed
/// web origins (remembered for a short while). Which application a request belongs to is checked later by the
/// ticket itself: creation refuses an origin its application does not allow, and images answer only their own.
/// </summary>
public sealed class BrowserCors(IClusterClient cluster, TimeProvider time) : ICorsPolicyProvider
{
    public const string PolicyName = "browser";
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);
    private static readonly string[] RequestHeaders =
    [
        "content-type", "authorization", "x-browser-secret", "idempotency-key", "last-event-id",
        // what the Authing JS SDK sends on every call
        "x-authing-app-id", "x-authing-userpool-id", "x-authing-app-tenant-id", "x-authing-request-from", "x-authing-sdk-version", "x-authing-lang",
    ];

    private readonly ConcurrentDictionary<string, (bool Allowed, DateTimeOffset Until)> _origins = new(StringComparer.OrdinalIgnoreCase);

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length is 0 or > 256 || !await IsAllowedAsync(origin)) return null;
        var policy = new CorsPolicyBuilder().WithOrigins(origin).AllowCredentials().WithMethods("GET", "POST")
            .WithHeaders(RequestHeaders).WithExposedHeaders("ETag", "Location").SetPreflightMaxAge(TimeSpan.FromMinutes(10)).Build();
        return policy;
    }

    private async Task<bool> IsAllowedAsync(string origin)
    {
        var now = time.GetUtcNow();
        if (_origins.TryGetValue(origin, out var known) && known.Until > now) return known.Allowed;
        var allowed = await cluster.GetGrain<ICatalogGrain>(0).IsOriginAllowedAsync(origin);
        if (_origins.Count > 10_000) _origins.Clear(); // bounded: unknown origins cannot grow it without limit
        _origins[origin] = (allowed, now + RememberFor);
        return allowed;
    }
}
