namespace ScanLogin.Grains.Admin;

/// <summary>Answers listings from the catalog tables. A stateless worker: as many copies as the load needs, on any silo.</summary>
[StatelessWorker]
public sealed class CatalogGrain(ICatalogStore catalog) : Grain, ICatalogGrain
{
    async Task<Page<CatalogRow>> ICatalogGrain.ListAsync(CatalogKind kind, string? poolId, string? cursor, int limit)
    {
        var rows = await catalog.ListAsync(kind, poolId, Cursors.Decode(cursor), limit + 1);
        return new Page<CatalogRow>(rows.Take(limit).ToArray(), rows.Count > limit ? Cursors.Encode(rows[limit - 1].Id) : null);
    }

    Task<bool> ICatalogGrain.IsOriginAllowedAsync(string origin) => catalog.IsOriginAllowedAsync(origin);

    async Task<Page<AuditEntry>> ICatalogGrain.ListAuditAsync(string poolId, string? cursor, int limit, AuditFilter? filter)
    {
        var after = long.TryParse(Cursors.Decode(cursor), out var sequence) ? sequence : 0;
        var entries = await catalog.ListAuditAsync(poolId, after, limit + 1, filter ?? AuditFilter.None);
        return new Page<AuditEntry>(entries.Take(limit).ToArray(), entries.Count > limit ? Cursors.Encode(entries[limit - 1].Sequence.ToString()) : null);
    }
}
