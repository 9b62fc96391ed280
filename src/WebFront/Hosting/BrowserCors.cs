using System.Collections.Concurrent;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Admin;

namespace ScanLogin.WebFront.Hosting;

/// <summary>
/// The CORS policies, by name. "browser" (the ticket API) answers only preflights, for an origin some application
/// lists: a preflight carries no body and no ticket, so it cannot know more. The actual responses then carry CORS
/// headers only for the origins of the ticket's own application (<see cref="Apis.BrowserOrigins"/>), so one tenant listing
/// an origin opens nothing of another tenant. "admin" allows only the origins the platform configured in
/// ScanLogin:Admin:AllowedOrigins (none by default). Every other endpoint has no CORS at all.
/// </summary>
public sealed class BrowserCors(IClusterClient cluster, TimeProvider time, IOptionsMonitor<AdminOptions> admin) : ICorsPolicyProvider
{
    public const string PolicyName = "browser";
    public const string AdminPolicyName = "admin";
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
        if (origin.Length is 0 or > 256) return null;
        switch (policyName)
        {
            case PolicyName when Preflights.IsPreflight(context.Request) && await IsAllowedAsync(origin):
                return new CorsPolicyBuilder().WithOrigins(origin).AllowCredentials().WithMethods("GET", "POST")
                    .WithHeaders(RequestHeaders).WithExposedHeaders("ETag", "Location").SetPreflightMaxAge(TimeSpan.FromMinutes(10)).Build();
            case AdminPolicyName when admin.CurrentValue.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase):
                return new CorsPolicyBuilder().WithOrigins(origin).WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
                    .WithHeaders("authorization", "content-type", "if-match").WithExposedHeaders("ETag", "Location")
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10)).Build();
            default:
                return null;
        }
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

/// <summary>A CORS preflight never reaches an endpoint: the CORS middleware answers the allowed ones, this the rest.</summary>
public static class Preflights
{
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method");

    /// <summary>
    /// Place right before UseCors: a preflight's answer depends on its Origin (allowed or not, and which origin it names),
    /// so a shared cache must key it by Origin. The CORS middleware adds Vary only for multi-origin policies; ours name one.
    /// </summary>
    public static IApplicationBuilder UsePreflightVary(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (IsPreflight(http.Request)) http.Response.Headers.Vary = "Origin";
        return next(http);
    });

    /// <summary>Place right after UseCors: a preflight still here was not allowed; answer it without CORS headers and stop.</summary>
    public static IApplicationBuilder UsePreflightStop(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (!IsPreflight(http.Request)) return next(http);
        http.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    });
}
