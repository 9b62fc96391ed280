using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>
/// Uploaded branding logos of an application or a pool, one per colour scheme: checked and normalized as identity-source
/// logos are (PNG or JPEG, at most 1 MiB, 16 to 4096 px a side, stored as PNG), served by ScanLogin to the hosted page.
/// An uploaded logo wins over the scheme's logoUrl.
/// </summary>
public static class BrandingLogosApi
{
    private static readonly string[] Schemes = ["light", "dark"];

    public static RouteGroupBuilder MapBrandingLogosApi(this RouteGroupBuilder admin)
    {
        var apps = admin.MapGroup("/pools/{poolId}/applications/{appId}/branding/{scheme}/logo").WithTags("Admin: applications");
        apps.MapPut("/", PutAppLogoAsync).WithName("PutApplicationBrandingLogo")
            .WithSummary("Upload the hosted login's logo for light or dark (image/png or image/jpeg, at most 1 MiB, 16 to 4096 px a side)")
            .Accepts<byte[]>("image/png", "image/jpeg").Produces<ApplicationView>();
        apps.MapDelete("/", DeleteAppLogoAsync).WithName("DeleteApplicationBrandingLogo").Produces<ApplicationView>();
        var pools = admin.MapGroup("/pools/{poolId}/branding/{scheme}/logo").WithTags("Admin: user pools");
        pools.MapPut("/", PutPoolLogoAsync).WithName("PutPoolBrandingLogo")
            .WithSummary("Upload the pool's hosted login logo for light or dark (the fallback of its applications)")
            .Accepts<byte[]>("image/png", "image/jpeg").Produces<PoolView>();
        pools.MapDelete("/", DeletePoolLogoAsync).WithName("DeletePoolBrandingLogo").Produces<PoolView>();
        return admin;
    }

    private static Task<Results<JsonHttpResult<ApplicationView>, ProblemHttpResult>> PutAppLogoAsync(string poolId, string appId, string scheme, HttpContext http, IClusterClient cluster) =>
        SetAppLogoAsync(poolId, appId, scheme, upload: true, http, cluster);

    private static Task<Results<JsonHttpResult<ApplicationView>, ProblemHttpResult>> DeleteAppLogoAsync(string poolId, string appId, string scheme, HttpContext http, IClusterClient cluster) =>
        SetAppLogoAsync(poolId, appId, scheme, upload: false, http, cluster);

    private static Task<Results<JsonHttpResult<PoolView>, ProblemHttpResult>> PutPoolLogoAsync(string poolId, string scheme, HttpContext http, IClusterClient cluster) =>
        SetPoolLogoAsync(poolId, scheme, upload: true, http, cluster);

    private static Task<Results<JsonHttpResult<PoolView>, ProblemHttpResult>> DeletePoolLogoAsync(string poolId, string scheme, HttpContext http, IClusterClient cluster) =>
        SetPoolLogoAsync(poolId, scheme, upload: false, http, cluster);

    private static async Task<Results<JsonHttpResult<ApplicationView>, ProblemHttpResult>> SetAppLogoAsync(string poolId, string appId, string scheme, bool upload, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (!Schemes.Contains(scheme)) return ApiProblems.Invalid("scheme", "light or dark.");
        if (!http.GetOperator().CanSee(poolId) || appId.Length > 64) return AdminHttp.NotFound();
        var grain = cluster.GetGrain<IApplicationGrain>(appId);
        if (await grain.GetVersionedAsync() is not { } app || app.Value.PoolId != poolId) return AdminHttp.NotFound();
        var hash = await StoreAsync(http, cluster, BrandingLogos.KeyOf(poolId, appId), app.Value.Branding, upload);
        if (hash.Failure is { } refused) return refused;
        var updated = await grain.UpdateAsync(app.Value with { Branding = WithLogo(app.Value.Branding, scheme == "dark", hash.Hash) },
            ifRevision ?? app.Revision, http.GetOperator().Actor);
        if (updated.Value is not { } v) return AdminHttp.Problem(updated.Failure!);
        if (!upload) await PruneAsync(cluster, BrandingLogos.KeyOf(poolId, appId), v.Value.Branding);
        return Versioned(http, v.Revision, ApplicationView.From(v));
    }

    private static async Task<Results<JsonHttpResult<PoolView>, ProblemHttpResult>> SetPoolLogoAsync(string poolId, string scheme, bool upload, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (!Schemes.Contains(scheme)) return ApiProblems.Invalid("scheme", "light or dark.");
        if (await PoolsApi.FindAsync(poolId, http, cluster) is not { } pool) return AdminHttp.NotFound();
        var hash = await StoreAsync(http, cluster, BrandingLogos.KeyOf(poolId, null), pool.Value.Branding, upload);
        if (hash.Failure is { } refused) return refused;
        var updated = await cluster.GetGrain<IUserPoolGrain>(poolId).UpdateAsync(
            pool.Value with { Branding = WithLogo(pool.Value.Branding, scheme == "dark", hash.Hash) }, ifRevision ?? pool.Revision, http.GetOperator().Actor);
        if (updated.Value is not { } v) return AdminHttp.Problem(updated.Failure!);
        if (!upload) await PruneAsync(cluster, BrandingLogos.KeyOf(poolId, null), v.Value.Branding);
        return Versioned(http, v.Revision, PoolView.From(v));
    }

    /// <summary>Reads and stores the uploaded image (keeping the logos the settings name now); no hash and no failure for a removal.</summary>
    private static async Task<(string? Hash, ProblemHttpResult? Failure)> StoreAsync(HttpContext http, IClusterClient cluster, string key, Branding? current, bool upload)
    {
        if (!upload) return (null, null);
        if (http.Request.ContentType?.Split(';')[0].Trim() is not ("image/png" or "image/jpeg"))
            return (null, ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the logo as image/png or image/jpeg."));
        // Logos are larger than the API's usual 16 KiB bodies.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = IdentitySourcesApi.MaxLogoBytes + 1;
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var stored = await cluster.GetGrain<IBrandingLogoGrain>(key).StoreAsync(body.ToArray(), HashesOf(current));
        return stored.Value is { } hash ? (hash, null) : (null, AdminHttp.Problem(stored.Failure!));
    }

    /// <summary>After a removal, drops stored logos the settings no longer name (an upload keeps the replaced one, which a page shown a moment ago may still ask for, until the next upload).</summary>
    private static Task PruneAsync(IClusterClient cluster, string key, Branding? branding) =>
        cluster.GetGrain<IBrandingLogoGrain>(key).PruneAsync(HashesOf(branding));

    private static JsonHttpResult<T> Versioned<T>(HttpContext http, int revision, T view)
    {
        http.Response.Headers.ETag = AdminHttp.ETagOf(revision);
        return TypedResults.Json(view);
    }

    private static string[] HashesOf(Branding? branding) =>
        new[] { branding?.Light?.LogoHash, branding?.Dark?.LogoHash }.OfType<string>().ToArray();

    private static Branding? WithLogo(Branding? branding, bool dark, string? hash)
    {
        var b = branding ?? Branding.None;
        var theme = (b.ThemeOf(dark) ?? new BrandingTheme()) with { LogoHash = hash };
        var changed = dark ? b with { Dark = theme == new BrandingTheme() ? null : theme } : b with { Light = theme == new BrandingTheme() ? null : theme };
        return changed == Branding.None ? null : changed;
    }
}
