using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>User pools (tenants) and their API keys. Creating pools and keys takes the platform key.</summary>
public static class PoolsApi
{
    public sealed record CreatePoolRequest(string? Id, string? Name, bool? BrowserExchange, int? TokenLifetimeSeconds, bool? SessionEnabled = null,
        int? SessionLifetimeSeconds = null, BrandingRequest? Branding = null);
    public sealed record UpdatePoolRequest(string? Name, bool? BrowserExchange, int? TokenLifetimeSeconds, bool? SessionEnabled = null,
        int? SessionLifetimeSeconds = null, BrandingRequest? Branding = null);
    public sealed record CreateApiKeyRequest(string? Name);
    public sealed record ApiKeyCreated(string KeyId, string Name, DateTimeOffset CreatedAt, string Key)
    {
        public override string ToString() => $"ApiKeyCreated {{ KeyId = {KeyId}, Name = {Name}, CreatedAt = {CreatedAt:O} }}";
    }

    public static RouteGroupBuilder MapPoolsApi(this RouteGroupBuilder admin)
    {
        var pools = admin.MapGroup("/pools").WithTags("Admin: user pools");
        pools.MapPost("/", CreateAsync).WithName("CreatePool").WithSummary("Create a user pool (platform key)");
        pools.MapGet("/", ListAsync).WithName("ListPools").WithSummary("List pools, paged with `cursor` and `limit`");
        pools.MapGet("/{poolId}", GetAsync).WithName("GetPool");
        pools.MapPatch("/{poolId}", UpdateAsync).WithName("UpdatePool").WithSummary("Change the name; send If-Match with the ETag");
        pools.MapDelete("/{poolId}", DeleteAsync).WithName("DeletePool").WithSummary("Delete an empty pool (platform key)");
        pools.MapPost("/{poolId}/api-keys", CreateKeyAsync).WithName("CreatePoolApiKey")
            .WithSummary("Create a pool-scoped API key (platform key); the key is shown only in this answer");
        pools.MapGet("/{poolId}/api-keys", ListKeysAsync).WithName("ListPoolApiKeys");
        pools.MapDelete("/{poolId}/api-keys/{keyId}", DeleteKeyAsync).WithName("DeletePoolApiKey");
        return admin;
    }

    private static async Task<Results<Created<PoolView>, ProblemHttpResult>> CreateAsync(CreatePoolRequest request, HttpContext http, IClusterClient cluster)
    {
        var op = http.GetOperator();
        if (!op.IsPlatform) return Forbidden();
        var validation = new AdminValidation();
        var id = request.Id ?? "pool-" + Secrets.NewId()[..10].ToLowerInvariant().Replace('_', '0');
        validation.PoolId("id", id);
        validation.Name("name", request.Name, 100);
        validation.TokenLifetime("tokenLifetimeSeconds", request.TokenLifetimeSeconds);
        validation.SessionLifetime("sessionLifetimeSeconds", request.SessionLifetimeSeconds);
        validation.Branding("branding", request.Branding);
        if (!validation.IsValid) return AdminHttp.Invalid(validation);
        // Browser exchange is off unless asked for: then only the application's backend (its secret) turns a code into a token.
        var settings = new UserPoolSettings(id, request.Name!.Trim(), BrowserExchangeDisabled: request.BrowserExchange != true,
            request.TokenLifetimeSeconds ?? UserPoolSettings.DefaultTokenLifetimeSeconds, request.SessionEnabled == true,
            request.SessionLifetimeSeconds ?? UserPoolSettings.DefaultSessionLifetimeSeconds,
            Branding: BrandingRequest.ToBranding(request.Branding, null));
        var created = await cluster.GetGrain<IUserPoolGrain>(id).CreateAsync(settings, op.Actor);
        if (created.Value is not { } pool) return AdminHttp.Problem(created.Failure!);
        return AdminHttp.VersionedCreated(http, pool.Revision, View(pool), $"/admin/v1/pools/{id}");
    }

    private static async Task<Results<JsonHttpResult<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, IClusterClient cluster, string? cursor = null, string? limit = null)
    {
        if (!AdminHttp.TryReadPage(limit, out var size)) return AdminHttp.BadLimit();
        if (!Cursors.TryDecode(cursor, out _)) return AdminHttp.BadCursor();
        var op = http.GetOperator();
        return AdminHttp.Page(await cluster.GetGrain<ICatalogGrain>(0).ListAsync(CatalogKind.Pools, op.PoolId, cursor, size));
    }

    private static async Task<Results<Ok<PoolView>, ProblemHttpResult>> GetAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        if (await FindAsync(poolId, http, cluster) is not { } pool) return AdminHttp.NotFound();
        return AdminHttp.Versioned(http, pool.Revision, View(pool));
    }

    private static async Task<Results<Ok<PoolView>, ProblemHttpResult>> UpdateAsync(string poolId, UpdatePoolRequest request, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (await FindAsync(poolId, http, cluster) is not { } pool) return AdminHttp.NotFound();
        var validation = new AdminValidation();
        if (request.Name is not null) validation.Name("name", request.Name, 100);
        validation.TokenLifetime("tokenLifetimeSeconds", request.TokenLifetimeSeconds);
        validation.SessionLifetime("sessionLifetimeSeconds", request.SessionLifetimeSeconds);
        validation.Branding("branding", request.Branding);
        if (!validation.IsValid) return AdminHttp.Invalid(validation);
        var changed = pool.Value with
        {
            Name = request.Name?.Trim() ?? pool.Value.Name,
            BrowserExchangeDisabled = request.BrowserExchange is { } allowed ? !allowed : pool.Value.BrowserExchangeDisabled,
            TokenLifetimeSeconds = request.TokenLifetimeSeconds ?? pool.Value.TokenLifetimeSeconds,
            SessionEnabled = request.SessionEnabled ?? pool.Value.SessionEnabled,
            SessionLifetimeSeconds = request.SessionLifetimeSeconds ?? pool.Value.SessionLifetimeSeconds,
            Branding = request.Branding is null ? pool.Value.Branding : BrandingRequest.ToBranding(request.Branding, pool.Value.Branding),
        };
        var updated = await cluster.GetGrain<IUserPoolGrain>(poolId).UpdateAsync(changed, ifRevision ?? pool.Revision, http.GetOperator().Actor);
        return updated.Value is { } v ? AdminHttp.Versioned(http, v.Revision, View(v)) : AdminHttp.Problem(updated.Failure!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadIfMatch(http.Request, out var ifRevision)) return AdminHttp.BadIfMatch();
        if (await FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        if (!http.GetOperator().IsPlatform) return Forbidden();
        var deleted = await cluster.GetGrain<IUserPoolGrain>(poolId).DeleteAsync(ifRevision, http.GetOperator().Actor);
        return deleted.Succeeded ? TypedResults.NoContent() : AdminHttp.Problem(deleted.Failure!);
    }

    private static async Task<Results<Created<ApiKeyCreated>, ProblemHttpResult>> CreateKeyAsync(string poolId, CreateApiKeyRequest request, HttpContext http, IClusterClient cluster)
    {
        if (await FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        if (!http.GetOperator().IsPlatform) return Forbidden();
        var validation = new AdminValidation();
        validation.Name("name", request.Name);
        if (!validation.IsValid) return AdminHttp.Invalid(validation);
        var created = await cluster.GetGrain<IUserPoolGrain>(poolId).CreateApiKeyAsync(request.Name!.Trim(), http.GetOperator().Actor);
        if (created.Value is not { } key) return AdminHttp.Problem(created.Failure!);
        return TypedResults.Created($"/admin/v1/pools/{poolId}/api-keys/{key.Key.KeyId}",
            new ApiKeyCreated(key.Key.KeyId, key.Key.Name, key.Key.CreatedAt, key.Value));
    }

    private static async Task<Results<Ok<ApiKeyView[]>, ProblemHttpResult>> ListKeysAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        if (await FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        return TypedResults.Ok(await cluster.GetGrain<IUserPoolGrain>(poolId).ListApiKeysAsync());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteKeyAsync(string poolId, string keyId, HttpContext http, IClusterClient cluster)
    {
        if (await FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        if (!http.GetOperator().IsPlatform) return Forbidden();
        var deleted = await cluster.GetGrain<IUserPoolGrain>(poolId).DeleteApiKeyAsync(keyId, http.GetOperator().Actor);
        return deleted.Succeeded ? TypedResults.NoContent() : AdminHttp.Problem(deleted.Failure!);
    }

    /// <summary>The pool if it exists and the caller may see it; otherwise null, answered as 404 so nothing leaks.</summary>
    public static async Task<Versioned<UserPoolSettings>?> FindAsync(string poolId, HttpContext http, IClusterClient cluster) =>
        http.GetOperator().CanSee(poolId) && poolId.Length <= 64 ? await cluster.GetGrain<IUserPoolGrain>(poolId).GetVersionedAsync() : null;

    private static PoolView View(Versioned<UserPoolSettings> v) => PoolView.From(v);

    private static ProblemHttpResult Forbidden() =>
        ApiProblems.Problem(StatusCodes.Status403Forbidden, "platform_key_required", "Only the platform key may do this.");
}
