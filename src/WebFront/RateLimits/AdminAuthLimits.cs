using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.RateLimits;

/// <summary>
/// Failed admin authentications per client address: each 401 under /admin takes a permit, and an address with
/// none left is answered 429 before its key is even looked at, so guessing keys costs the guesser, not the cluster.
/// Successful calls take nothing. A middleware, so it holds whatever way the admin API authenticates. Platform-wide
/// (no pool or application is known before the key is): the Defaults rule applies.
/// </summary>
public static class AdminAuthLimits
{
    public static IApplicationBuilder UseAdminAuthLimits(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/admin") || http.Request.Path.StartsWithSegments("/metrics")
                            || http.Request.Path.StartsWithSegments("/dashboard"), branch => branch.Use(async (http, next) =>
        {
            var limiter = AbuseLimits.Limiter(http);
            var address = AbuseLimits.ClientKey(http);
            var before = await limiter.PeekAsync(RateLimitKeys.AdminAuthFailuresPerClientIp, null, address);
            if (!before.Allowed)
            {
                await AbuseLimits.TooMany(http, before, "Too many failed authentications from this address.").ExecuteAsync(http);
                return;
            }
            await next(http);
            if (http.Response.StatusCode == StatusCodes.Status401Unauthorized) await limiter.TakeAsync(RateLimitKeys.AdminAuthFailuresPerClientIp, null, address);
        }));
}
