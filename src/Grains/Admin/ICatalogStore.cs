namespace ScanLogin.Grains.Admin;

/// <summary>The listing tables and the audit log. Written only by the grain that owns each resource.</summary>
public interface ICatalogStore
{
    Task UpsertAsync(CatalogKind kind, string poolId, string id, string json);

    Task DeleteAsync(CatalogKind kind, string poolId, string id);

    /// <summary>Rows ordered by id, after <paramref name="afterId"/>; for pools, <paramref name="poolId"/> (if any) limits to that pool.</summary>
    Task<IReadOnlyList<CatalogRow>> ListAsync(CatalogKind kind, string? poolId, string? afterId, int limit);

    Task<bool> IsOriginAllowedAsync(string origin);

    Task AppendAuditAsync(AuditEntry entry);

    /// <summary>Entries of the pool after <paramref name="afterSequence"/> that the filter keeps, in sequence order.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string poolId, long afterSequence, int limit, AuditFilter filter);
}
