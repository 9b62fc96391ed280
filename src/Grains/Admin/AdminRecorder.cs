using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.Admin;

/// <summary>What every change of an operator-managed resource does after its state is written: the listing row and the audit entry.</summary>
public sealed class AdminRecorder(ICatalogStore catalog, TimeProvider time, ILogger<AdminRecorder> logger)
{
    public DateTimeOffset Now => time.GetUtcNow();

    /// <param name="after">The resource's admin view after the change; null when it was deleted.</param>
    public async Task RecordAsync(CatalogKind kind, string poolId, string id, string action, Actor actor, object? before, object? after)
    {
        if (after is null) await catalog.DeleteAsync(kind, poolId, id);
        else await catalog.UpsertAsync(kind, poolId, id, AdminJson.Serialize(after));
        await AuditAsync(poolId, action, actor, ResourceType(kind), id, before, after);
    }

    /// <summary>
    /// Re-writes a resource's listing row from its state, without an audit entry. Grains call it on activation, so a
    /// row lost to a failure between the state write and the catalog write is repaired the next time the grain wakes.
    /// </summary>
    public async Task SyncAsync(CatalogKind kind, string poolId, string id, object view)
    {
        try
        {
            await catalog.UpsertAsync(kind, poolId, id, AdminJson.Serialize(view));
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // A repair that fails must not keep the grain from serving; the next activation tries again.
            logger.LogWarning(e, "Could not refresh the catalog row of {Kind} {Id}", kind, id);
        }
    }

    /// <summary>True when saving <paramref name="next"/> over <paramref name="current"/> would change nothing an operator can see.</summary>
    public static bool Unchanged<T>(T? current, T next) where T : class =>
        current is not null && AdminJson.Serialize(current) == AdminJson.Serialize(next);

    /// <summary>An audit entry alone, for changes that have no listing row (API keys).</summary>
    public Task AuditAsync(string poolId, string action, Actor actor, string resourceType, string id, object? before, object? after) =>
        catalog.AppendAuditAsync(new AuditEntry(0, poolId, Now, actor.ToString(), action, resourceType, id,
            before is null ? null : AdminJson.Serialize(before), after is null ? null : AdminJson.Serialize(after)));

    /// <summary>Whether the pool still has applications or identity sources.</summary>
    public async Task<bool> HasChildrenAsync(string poolId) =>
        (await catalog.ListAsync(CatalogKind.Applications, poolId, null, 1)).Count > 0
        || (await catalog.ListAsync(CatalogKind.IdentitySources, poolId, null, 1)).Count > 0;

    private static string ResourceType(CatalogKind kind) => kind switch
    {
        CatalogKind.Pools => "pool",
        CatalogKind.Applications => "application",
        CatalogKind.IdentitySources => "identity_source",
        _ => "user",
    };
}
