namespace ScanLogin.Grains.Admin;

/// <summary>What every change of an operator-managed resource does after its state is written: the listing row and the audit entry.</summary>
public sealed class AdminRecorder(ICatalogStore catalog, TimeProvider time)
{
    public DateTimeOffset Now => time.GetUtcNow();

    /// <param name="after">The resource's admin view after the change; null when it was deleted.</param>
    public async Task RecordAsync(CatalogKind kind, string poolId, string id, string action, Actor actor, object? before, object? after)
    {
        if (after is null) await catalog.DeleteAsync(kind, poolId, id);
        else await catalog.UpsertAsync(kind, poolId, id, AdminJson.Serialize(after));
        await AuditAsync(poolId, action, actor, ResourceType(kind), id, before, after);
    }

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
