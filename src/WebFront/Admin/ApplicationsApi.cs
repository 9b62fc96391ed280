using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Admin;

/// <summary>Applications of a pool: name, logo, allowed origins (CORS and ticket creation), callback URLs, and a rotatable secret.</summary>
public static class ApplicationsApi
{
    /// <summary><c>hostedLoginSameAddress</c>: refuse to complete a hosted login from another address than the one that opened its code.</summary>
    public sealed record ApplicationRequest(string? Name, string? LogoUrl, string[]? AllowedOrigins, string[]? CallbackUrls, bool? AuthingBrowserExchange = null,
        bool? HostedLoginSameAddress = null, BrandingRequest? Branding = null);
    public sealed record ApplicationCreated(ApplicationView Application, string AppSecret)
    {
        public override string ToString() => $"ApplicationCreated {{ Application = {Application} }}";
    }

    public static RouteGroupBuilder MapApplicationsApi(this RouteGroupBuilder admin)
    {
        var apps = admin.MapGroup("/pools/{poolId}/applications").WithTags("Admin: applications");
        apps.MapPost("/", CreateAsync).WithName("CreateApplication")
            .WithSummary("Create an application; its secret is shown only in this answer");
        apps.MapGet("/", ListAsync).WithName("ListApplications");
        apps.MapGet("/{appId}", GetAsync).WithName("GetApplication");
        apps.MapPatch("/{appId}", UpdateAsync).WithName("UpdateApplication").Accepts<JsonObject>("application/json").WithSummary("Change fields; send If-Match with the ETag");
        apps.MapPost("/{appId}/secret", RotateAsync).WithName("RotateApplicationSecret")
            .WithSummary("Replace the secret; the new one is shown only in this answer");
        apps.MapDelete("/{appId}", DeleteAsync).WithName("DeleteApplication");
        return admin;
    }

    private static async Task<Results<Created<ApplicationCreated>, ProblemHttpResult>> CreateAsync(string poolId, ApplicationRequest request, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        if (Validate(request) is { IsValid: false } invalid) return AdminHttp.Invalid(invalid);
        var appId = Secrets.NewId();
        var settings = new ApplicationSettings(appId, poolId, request.Name!.Trim(), request.LogoUrl, request.AllowedOrigins ?? [], request.CallbackUrls ?? [],
            request.AuthingBrowserExchange ?? false, request.HostedLoginSameAddress ?? false, Branding: BrandingRequest.ToBranding(request.Branding, null));
        var created = await cluster.GetGrain<IApplicationGrain>(appId).CreateAsync(settings, http.GetOperator().Actor);
        if (created.Value is not { } app) return AdminHttp.Problem(created.Failure!);
        return AdminHttp.VersionedCreated(http, app.Application.Revision, new ApplicationCreated(ApplicationView.From(app.Application), app.AppSecret),
            $"/admin/v1/pools/{poolId}/applications/{appId}");
    }

    private static async Task<Results<JsonHttpResult<JsonObject>, ProblemHttpResult>> ListAsync(string poolId, HttpContext http, IClusterClient cluster, string? cursor = null, string? limit = null)
    {
        if (!AdminHttp.TryReadPage(limit, out var size)) return AdminHttp.BadLimit();
        if (!Cursors.TryDecode(cursor, out _)) return AdminHttp.BadCursor();
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        return AdminHttp.Page(await cluster.GetGrain<ICatalogGrain>(0).ListAsync(CatalogKind.Applications, poolId, cursor, size));
    }

    private static async Task<Results<Ok<ApplicationView>, ProblemHttpResult>> GetAsync(string poolId, string appId, HttpContext http, IClusterClient cluster) =>
        await FindAsync(poolId, appId, http, cluster) is { } app ? AdminHttp.Versioned(http, app.Revision, ApplicationView.From(app)) : AdminHttp.NotFound();

    private static async Task<Results<Ok<ApplicationView>, ProblemHttpResult>> UpdateAsync(string poolId, string appId, MergePatch patch, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (await FindAsync(poolId, appId, http, cluster) is not { } app) return AdminHttp.NotFound();
        var current = new ApplicationRequest(app.Value.Name, app.Value.LogoUrl, app.Value.AllowedOrigins, app.Value.CallbackUrls, app.Value.AuthingBrowserExchange,
            app.Value.HostedLoginSameAddress, BrandingRequest.From(app.Value.Branding));
        if (Patches.Apply(current, patch.Fields, out var request) is { } unreadable) return unreadable;
        if (Validate(request) is { IsValid: false } invalid) return AdminHttp.Invalid(invalid);
        var updated = await cluster.GetGrain<IApplicationGrain>(appId).UpdateAsync(
            app.Value with { Name = request.Name!.Trim(), LogoUrl = request.LogoUrl, AllowedOrigins = request.AllowedOrigins ?? [], CallbackUrls = request.CallbackUrls ?? [],
                AuthingBrowserExchange = request.AuthingBrowserExchange ?? false, HostedLoginSameAddress = request.HostedLoginSameAddress ?? false,
                Branding = BrandingRequest.ToBranding(request.Branding, app.Value.Branding) },
            ifRevision ?? app.Revision, http.GetOperator().Actor);
        return updated.Value is { } v ? AdminHttp.Versioned(http, v.Revision, ApplicationView.From(v)) : AdminHttp.Problem(updated.Failure!);
    }

    private static async Task<Results<Ok<ApplicationCreated>, ProblemHttpResult>> RotateAsync(string poolId, string appId, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (await FindAsync(poolId, appId, http, cluster) is null) return AdminHttp.NotFound();
        var rotated = await cluster.GetGrain<IApplicationGrain>(appId).RotateSecretAsync(ifRevision, http.GetOperator().Actor);
        if (rotated.Value is not { } app) return AdminHttp.Problem(rotated.Failure!);
        return AdminHttp.Versioned(http, app.Application.Revision, new ApplicationCreated(ApplicationView.From(app.Application), app.AppSecret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string poolId, string appId, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (await FindAsync(poolId, appId, http, cluster) is null) return AdminHttp.NotFound();
        var deleted = await cluster.GetGrain<IApplicationGrain>(appId).DeleteAsync(ifRevision, http.GetOperator().Actor);
        return deleted.Succeeded ? TypedResults.NoContent() : AdminHttp.Problem(deleted.Failure!);
    }

    private static async Task<Versioned<ApplicationSettings>?> FindAsync(string poolId, string appId, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || appId.Length > 64) return null;
        var app = await cluster.GetGrain<IApplicationGrain>(appId).GetVersionedAsync();
        return app?.Value.PoolId == poolId ? app : null;
    }

    private static AdminValidation Validate(ApplicationRequest request)
    {
        var validation = new AdminValidation();
        validation.Name("name", request.Name);
        validation.Url("logoUrl", request.LogoUrl);
        validation.Origins("allowedOrigins", request.AllowedOrigins);
        validation.Urls("callbackUrls", request.CallbackUrls);
        validation.Branding("branding", request.Branding);
        return validation;
    }
}
