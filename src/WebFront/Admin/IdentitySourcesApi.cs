using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>"PC mini-program scan code" identity sources of a pool: every field of the source document, plus the logo.</summary>
public static class IdentitySourcesApi
{
    public const long MaxLogoBytes = 1024 * 1024;
    // The sides the ticket pictures are drawn at (the grain answers at the nearest drawn step).
    private const int MinPreviewSize = 160, MaxPreviewSize = 1280;

    /// <summary>Create and patch body. <c>miniProgramAppSecret</c> is write-only: reads only say whether it is set.</summary>
    public sealed record IdentitySourceRequest(string? Identifier, string? DisplayName, string? CallbackUrl, bool? Enabled, bool? PrivateDeployment,
        string? MiniProgramAppId, string? MiniProgramAppSecret, string? LoginMode, string? AccountAssociation, int? TicketLifetimeSeconds,
        string[]? ApplicationIds)
    {
        public override string ToString() => $"IdentitySourceRequest {{ {Identifier}, {DisplayName}, Enabled = {Enabled}, AppId = {MiniProgramAppId} }}";
    }

    private static readonly Dictionary<string, LoginMode> LoginModes = new()
    {
        ["login_and_register"] = Grains.Interfaces.LoginMode.LoginAndRegister,
        ["login_only"] = Grains.Interfaces.LoginMode.LoginOnly,
    };

    private static readonly Dictionary<string, AccountAssociation> Associations = new()
    {
        ["off"] = Grains.Interfaces.AccountAssociation.Off,
        ["field_match"] = Grains.Interfaces.AccountAssociation.FieldMatch,
        ["ask_binding"] = Grains.Interfaces.AccountAssociation.AskBinding,
    };

    public static RouteGroupBuilder MapIdentitySourcesApi(this RouteGroupBuilder admin)
    {
        var sources = admin.MapGroup("/pools/{poolId}/identity-sources").WithTags("Admin: identity sources");
        sources.MapPost("/", CreateAsync).WithName("CreateIdentitySource")
            .WithSummary("Create a WeChat PC mini-program scan code identity source")
            .WithDescription("Example: {\"identifier\":\"wechat-scan\",\"displayName\":\"WeChat\",\"callbackUrl\":\"https://shop.example.com/callback\"," +
                             "\"enabled\":true,\"privateDeployment\":true,\"miniProgramAppId\":\"wx0123456789abcdef\",\"miniProgramAppSecret\":\"...\"," +
                             "\"loginMode\":\"login_and_register\",\"accountAssociation\":\"field_match\",\"ticketLifetimeSeconds\":120,\"applicationIds\":[\"...\"]}");
        sources.MapGet("/", ListAsync).WithName("ListIdentitySources");
        sources.MapGet("/{identifier}", GetAsync).WithName("GetIdentitySource");
        sources.MapPatch("/{identifier}", UpdateAsync).WithName("UpdateIdentitySource").Accepts<JsonObject>("application/json")
            .WithSummary("Change fields (not the identifier); send If-Match with the ETag");
        sources.MapDelete("/{identifier}", DeleteAsync).WithName("DeleteIdentitySource")
            .WithSummary("Delete: new tickets stop at once, live ones can no longer be confirmed");
        sources.MapPut("/{identifier}/logo", PutLogoAsync).WithName("PutIdentitySourceLogo")
            .WithSummary("Upload the mini-program logo (image/png or image/jpeg, at most 1 MiB, 16 to 4096 px a side)");
        sources.MapGet("/{identifier}/logo", GetLogoAsync).WithName("GetIdentitySourceLogo").Produces(200, contentType: "image/png");
        sources.MapDelete("/{identifier}/logo", DeleteLogoAsync).WithName("DeleteIdentitySourceLogo");
        sources.MapGet("/{identifier}/qr-preview", GetQrPreviewAsync).WithName("GetIdentitySourceQrPreview")
            .WithSummary("A sample of the code this source's tickets show, with its logo (a fixed payload, not a ticket); size 160 to 1280 px, default 320")
            .Produces(200, contentType: "image/png");
        return admin;
    }

    private static async Task<Results<Created<IdentitySourceView>, ProblemHttpResult>> CreateAsync(string poolId, IdentitySourceRequest request, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        var (settings, validation) = ToSettings(poolId, request);
        if (settings is null) return AdminHttp.Invalid(validation);
        var created = await Grain(cluster, poolId, settings.Identifier).CreateAsync(settings, request.MiniProgramAppSecret, http.GetOperator().Actor);
        if (created.Value is not { } source) return AdminHttp.Problem(created.Failure!);
        return AdminHttp.VersionedCreated(http, source.Revision, IdentitySourceView.From(source),
            $"/admin/v1/pools/{poolId}/identity-sources/{settings.Identifier}");
    }

    private static async Task<Results<JsonHttpResult<JsonObject>, ProblemHttpResult>> ListAsync(string poolId, HttpContext http, IClusterClient cluster, string? cursor = null, string? limit = null)
    {
        if (!AdminHttp.TryReadPage(limit, out var size)) return AdminHttp.BadLimit();
        if (!Cursors.TryDecode(cursor, out _)) return AdminHttp.BadCursor();
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        return AdminHttp.Page(await cluster.GetGrain<ICatalogGrain>(0).ListAsync(CatalogKind.IdentitySources, poolId, cursor, size));
    }

    private static async Task<Results<Ok<IdentitySourceView>, ProblemHttpResult>> GetAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster) =>
        await FindAsync(poolId, identifier, http, cluster) is { } source
            ? AdminHttp.Versioned(http, source.Revision,
                IdentitySourceView.From(source) with { WeChat = await Grain(cluster, poolId, identifier).GetWeChatHealthAsync() })
            : AdminHttp.NotFound();

    private static async Task<Results<Ok<IdentitySourceView>, ProblemHttpResult>> UpdateAsync(string poolId, string identifier, MergePatch patch, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (await FindAsync(poolId, identifier, http, cluster) is not { } source) return AdminHttp.NotFound();
        var s = source.Value;
        var current = new IdentitySourceRequest(s.Identifier, s.DisplayName, s.CallbackUrl, s.Enabled, s.PrivateDeployment, s.MiniProgramAppId, null,
            LoginModes.First(m => m.Value == s.LoginMode).Key, Associations.First(a => a.Value == s.Association).Key,
            (int)s.TicketLifetime.TotalSeconds, s.ApplicationIds);
        if (Patches.Apply(current, patch.Fields, out var request) is { } unreadable) return unreadable;
        if (request.Identifier != identifier)
        {
            var immutable = new AdminValidation();
            immutable.Fail("identifier", "The identifier cannot be changed after creation.");
            return AdminHttp.Invalid(immutable);
        }
        var (settings, validation) = ToSettings(poolId, request);
        if (settings is null) return AdminHttp.Invalid(validation);
        var updated = await Grain(cluster, poolId, identifier).UpdateAsync(settings with { LogoHash = s.LogoHash }, request.MiniProgramAppSecret,
            ifRevision ?? source.Revision, http.GetOperator().Actor);
        return updated.Value is { } v ? AdminHttp.Versioned(http, v.Revision, IdentitySourceView.From(v)) : AdminHttp.Problem(updated.Failure!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (await FindAsync(poolId, identifier, http, cluster) is null) return AdminHttp.NotFound();
        var deleted = await Grain(cluster, poolId, identifier).DeleteAsync(ifRevision, http.GetOperator().Actor);
        return deleted.Succeeded ? TypedResults.NoContent() : AdminHttp.Problem(deleted.Failure!);
    }

    private static async Task<Results<Ok<IdentitySourceView>, ProblemHttpResult>> PutLogoAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster)
    {
        if (await FindAsync(poolId, identifier, http, cluster) is null) return AdminHttp.NotFound();
        if (http.Request.ContentType?.Split(';')[0].Trim() is not ("image/png" or "image/jpeg"))
            return ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the logo as image/png or image/jpeg.");
        // Logos are larger than the API's usual 16 KiB bodies.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxLogoBytes + 1;
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var set = await Grain(cluster, poolId, identifier).SetLogoAsync(body.ToArray(), http.GetOperator().Actor);
        if (!set.Succeeded) return AdminHttp.Problem(set.Failure!);
        var source = (await Grain(cluster, poolId, identifier).GetVersionedAsync())!;
        return AdminHttp.Versioned(http, source.Revision, IdentitySourceView.From(source));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetLogoAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster)
    {
        if (await FindAsync(poolId, identifier, http, cluster) is null) return AdminHttp.NotFound();
        return await Grain(cluster, poolId, identifier).GetLogoAsync() is { } logo ? TypedResults.File(logo, "image/png") : AdminHttp.NotFound();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteLogoAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster)
    {
        if (await FindAsync(poolId, identifier, http, cluster) is null) return AdminHttp.NotFound();
        var removed = await Grain(cluster, poolId, identifier).SetLogoAsync(null, http.GetOperator().Actor);
        return removed.Succeeded ? TypedResults.NoContent() : AdminHttp.Problem(removed.Failure!);
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetQrPreviewAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster, string? size = null)
    {
        var side = 320;
        if (size is not null && (!int.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out side)
                                 || side is < MinPreviewSize or > MaxPreviewSize))
            return ApiProblems.Invalid("size", $"{MinPreviewSize} to {MaxPreviewSize} pixels.");
        if (await FindAsync(poolId, identifier, http, cluster) is null) return AdminHttp.NotFound();
        var preview = await cluster.GetGrain<IQrPreviewGrain>(IdentitySourceSettings.KeyOf(poolId, identifier)).GetPreviewAsync(side);
        if (preview.Value is not { } image) return preview.Failure!.Code == FailureCodes.IdentitySourceNotFound ? AdminHttp.NotFound() : AdminHttp.Problem(preview.Failure);
        var headers = http.Response.GetTypedHeaders();
        headers.ETag = Microsoft.Net.Http.Headers.EntityTagHeaderValue.Parse(image.ETag);
        // The picture changes with the logo: the browser keeps it briefly and asks again with If-None-Match.
        headers.CacheControl = new Microsoft.Net.Http.Headers.CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromSeconds(60) };
        if (http.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Compare(headers.ETag, useStrongComparison: false)))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.File(image.Content, image.ContentType);
    }

    private static IIdentitySourceGrain Grain(IClusterClient cluster, string poolId, string identifier) =>
        cluster.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, identifier));

    private static async Task<Versioned<IdentitySourceSettings>?> FindAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster) =>
        http.GetOperator().CanSee(poolId) && identifier.Length < 32 ? await Grain(cluster, poolId, identifier).GetVersionedAsync() : null;

    /// <summary>Validates every field; defaults: enabled, no private deployment, login and registration, association off, 120 s.</summary>
    private static (IdentitySourceSettings? Settings, AdminValidation Validation) ToSettings(string poolId, IdentitySourceRequest r)
    {
        var v = new AdminValidation();
        v.Identifier("identifier", r.Identifier);
        v.Name("displayName", r.DisplayName);
        v.Url("callbackUrl", r.CallbackUrl);
        v.MiniProgramAppId("miniProgramAppId", r.MiniProgramAppId);
        v.MiniProgramAppSecret("miniProgramAppSecret", r.MiniProgramAppSecret);
        var loginMode = v.Choice("loginMode", r.LoginMode ?? "login_and_register", LoginModes);
        var association = v.Choice("accountAssociation", r.AccountAssociation ?? "off", Associations);
        v.TicketLifetime("ticketLifetimeSeconds", r.TicketLifetimeSeconds);
        v.ApplicationIds("applicationIds", r.ApplicationIds);
        if (r.PrivateDeployment == true && r.MiniProgramAppId is null) v.Fail("miniProgramAppId", "Required with private deployment.");
        if (!v.IsValid) return (null, v);
        var settings = new IdentitySourceSettings(poolId, r.Identifier!, r.DisplayName!.Trim(), r.CallbackUrl, r.Enabled ?? true, r.PrivateDeployment ?? false,
            r.MiniProgramAppId, loginMode!.Value, association!.Value,
            TimeSpan.FromSeconds(r.TicketLifetimeSeconds ?? (int)IdentitySourceSettings.DefaultTicketLifetime.TotalSeconds), r.ApplicationIds?.Distinct().ToArray() ?? []);
        return (settings, v);
    }
}
