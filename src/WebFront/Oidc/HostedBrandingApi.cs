using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// What the hosted page's branding needs from ScanLogin itself: the application's stylesheet (custom properties from checked
/// colours) and uploaded logos. Both are public, like the page; the stylesheet's URL names its content (?v=), so a browser
/// keeps it until the branding changes.
/// </summary>
public static class HostedBrandingApi
{
    private static readonly TimeSpan LongCache = TimeSpan.FromDays(365);
    private static readonly TimeSpan ShortCache = TimeSpan.FromMinutes(1);

    public static IEndpointRouteBuilder MapHostedBrandingApi(this IEndpointRouteBuilder app)
    {
        var branding = app.MapGroup("/oidc/{poolId}/branding").WithTags("OpenID Connect");
        branding.MapGet("/{appId}.css", StylesheetAsync).WithName("GetBrandingStylesheet")
            .WithSummary("The hosted login's branding stylesheet of an application (CSS custom properties; ?v= names the content)")
            .Produces(200, contentType: "text/css");
        branding.MapGet("/{appId}/logo/{hash}.png", AppLogoAsync).WithName("GetApplicationBrandingLogo")
            .WithSummary("An application's uploaded branding logo").Produces(200, contentType: "image/png");
        branding.MapGet("/{appId}/preview", PreviewAsync).WithName("PreviewBranding")
            .WithSummary("The application's branded login card without a login (no ticket, no script); state=pending, scanned or expired")
            .Produces(200, contentType: "text/html");
        branding.MapGet("/logo/{hash}.png", PoolLogoAsync).WithName("GetPoolBrandingLogo")
            .WithSummary("A pool's uploaded branding logo").Produces(200, contentType: "image/png");
        return app;
    }

    private static async Task<Results<ContentHttpResult, StatusCodeHttpResult, NotFound, ProblemHttpResult>> StylesheetAsync(string poolId, string appId,
        HttpContext http, IClusterClient cluster, UnknownIds unknownIds, string? v = null)
    {
        // An address that asked for too many ids that do not exist is told to wait, as everywhere else (not a 404 it could not tell apart).
        if (UnknownIds.RefusalOf(http) is { } tooMany) return tooMany.ToProblem(http);
        if (!HostedLoginApi.IsSafeId(poolId) || !HostedLoginApi.IsSafeId(appId)) return TypedResults.NotFound();
        if (await unknownIds.ApplicationAsync(http, cluster, appId) is not { } app || app.PoolId != poolId) return TypedResults.NotFound();
        var pool = await cluster.GetGrain<IUserPoolGrain>(poolId).GetSettingsAsync();
        var branding = LoginBranding.Resolve(app, pool, AppLogoUrlOf(app));
        var css = branding?.Css() ?? "/* ScanLogin: this application has no branding. */\n";
        var tag = "\"" + (branding?.Version ?? "none") + "\"";
        // A URL naming the current content may be kept for good; any other is asked again soon.
        Cache(http, tag, v is not null && v == branding?.Version ? LongCache : ShortCache);
        if (NotModified(http, tag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Text(css, "text/css; charset=utf-8");
    }

    private static async Task<Results<ContentHttpResult, NotFound, ProblemHttpResult>> PreviewAsync(string poolId, string appId, HttpContext http,
        IClusterClient cluster, UnknownIds unknownIds, string? state = null, string? ui_locales = null)
    {
        if (UnknownIds.RefusalOf(http) is { } tooMany) return tooMany.ToProblem(http);
        if (!HostedLoginApi.IsSafeId(poolId) || !HostedLoginApi.IsSafeId(appId)) return TypedResults.NotFound();
        if (await unknownIds.ApplicationAsync(http, cluster, appId) is not { } app || app.PoolId != poolId) return TypedResults.NotFound();
        var pool = await cluster.GetGrain<IUserPoolGrain>(poolId).GetSettingsAsync();
        var logo = AppLogoUrlOf(app);
        var text = LoginText.For(LoginText.Resolve(ui_locales, http.Request.Headers.AcceptLanguage));
        LoginPageHeaders.Apply(http.Response, extraImageSource: LoginPageHeaders.OriginOf(logo));
        http.Response.Headers["X-Robots-Tag"] = "noindex";
        return TypedResults.Content(BrandingPreviewPage.Render(text, app.Name, logo, LoginBranding.Resolve(app, pool, logo), state ?? "pending"),
            "text/html; charset=utf-8");
    }

    private static Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound, ProblemHttpResult>> AppLogoAsync(string poolId, string appId, string hash, HttpContext http,
        IClusterClient cluster, UnknownIds unknownIds) => LogoAsync(poolId, appId, hash, http, cluster, unknownIds);

    private static Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound, ProblemHttpResult>> PoolLogoAsync(string poolId, string hash, HttpContext http,
        IClusterClient cluster, UnknownIds unknownIds) => LogoAsync(poolId, null, hash, http, cluster, unknownIds);

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, NotFound, ProblemHttpResult>> LogoAsync(string poolId, string? appId,
        string hash, HttpContext http, IClusterClient cluster, UnknownIds unknownIds)
    {
        if (UnknownIds.RefusalOf(http) is { } tooMany) return tooMany.ToProblem(http);
        if (!HostedLoginApi.IsSafeId(poolId) || appId is not null && !HostedLoginApi.IsSafeId(appId) || !BrandingRules.IsLogoHash(hash))
            return TypedResults.NotFound();
        // The owner must exist (and the application be the pool's) before its logo grain is asked.
        if (appId is null ? await unknownIds.PoolAsync(http, cluster, poolId) is null
                : await unknownIds.ApplicationAsync(http, cluster, appId) is not { } app || app.PoolId != poolId)
            return TypedResults.NotFound();
        var tag = "\"" + hash + "\"";
        // Named by its content: the same name is always the same picture.
        Cache(http, tag, LongCache);
        if (NotModified(http, tag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        if (await cluster.GetGrain<IBrandingLogoGrain>(BrandingLogos.KeyOf(poolId, appId)).GetAsync(hash) is not { } png) return TypedResults.NotFound();
        return TypedResults.File(png, "image/png");
    }

    /// <summary>The application's own logo URL as the page shows it (any http(s) URL the admin API accepted).</summary>
    internal static string? AppLogoUrlOf(ApplicationSettings app) =>
        app.LogoUrl is { } url && LoginPageHeaders.OriginOf(url) is not null ? url : null;

    private static void Cache(HttpContext http, string tag, TimeSpan maxAge)
    {
        var headers = http.Response.GetTypedHeaders();
        headers.ETag = EntityTagHeaderValue.Parse(tag);
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = maxAge };
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'";
    }

    private static bool NotModified(HttpContext http, string tag) =>
        http.Request.GetTypedHeaders().IfNoneMatch.Any(t => t.Compare(EntityTagHeaderValue.Parse(tag), useStrongComparison: false));
}
