using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Admin;

/// <summary>What a pool accumulates: its audit log, read from the catalog tables (users: <see cref="UsersApi"/>).</summary>
public static class PoolDataApi
{
    public static RouteGroupBuilder MapPoolDataApi(this RouteGroupBuilder admin)
    {
        var pool = admin.MapGroup("/pools/{poolId}").WithTags("Admin: audit");
        pool.MapGet("/audit", AuditAsync).WithName("ListAudit")
            .WithSummary("Every change to the pool, oldest first: who, what, when, before and after (secrets never appear)")
            .Produces<Page<AuditEntry>>();
        return admin;
    }

    private static async Task<IResult> AuditAsync(string poolId, HttpContext http, IClusterClient cluster, string? cursor = null, string? limit = null)
    {
        if (!AdminHttp.TryReadPage(limit, out var size)) return AdminHttp.BadLimit();
        if (!Cursors.TryDecodeSequence(cursor, out _)) return AdminHttp.BadCursor();
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        return TypedResults.Ok(await cluster.GetGrain<ICatalogGrain>(0).ListAuditAsync(poolId, cursor, size));
    }
}
