namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// A pool's own host in front of the path form: a request to https://{pool host}/authorize is routed as /oidc/{poolId}/authorize,
/// so every endpoint of the /oidc/{poolId} groups (discovery, JWKS, authorize, the QR page, token, userinfo, connections and
/// whatever is added there) answers on both forms with the same code. Runs before routing. The page's shared paths (/api/...,
/// /oidc/assets/..., health) pass through; another pool's path form on a pool's host is not found.
/// </summary>
public static class PoolHostRouting
{
    private static readonly string[] PassThrough = ["/api/", "/oidc/assets/", "/healthz", "/readyz", "/favicon.ico"];

    public static IApplicationBuilder UsePoolHosts(this IApplicationBuilder app)
    {
        // Built now, so a template that cannot work stops the start, not the first request.
        var hosts = app.ApplicationServices.GetRequiredService<PoolHosts>();
        return app.Use((http, next) => RouteAsync(hosts, http, next));
    }

    private static async Task RouteAsync(PoolHosts hosts, HttpContext http, RequestDelegate next)
    {
        if (await hosts.MatchAsync(http.Request.Host) is not { } match)
        {
            await next(http);
            return;
        }
        var path = http.Request.Path.Value ?? "/";
        if (!PassThrough.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            if (path.StartsWith("/oidc/", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            http.Request.Path = new PathString("/oidc/" + match.PoolId).Add(http.Request.Path);
        }
        http.Features.Set(match);
        await next(http);
    }
}
