namespace ScanLogin.Grains.Interfaces;

/// <summary>Lists what operators browse, from PostgreSQL tables kept by the owning grains, without activating them.</summary>
[Alias("ScanLogin.ICatalogGrain")]
public interface ICatalogGrain : IGrainWithIntegerKey
{
    /// <summary>One page of pools, applications, identity sources or users (of <paramref name="poolId"/> where given), after the cursor.</summary>
    [Alias("List")]
    Task<Page<CatalogRow>> ListAsync(CatalogKind kind, string? poolId, string? cursor, int limit);

    /// <summary>A pool's audit entries, oldest first, after the cursor; only those the filter keeps (all when it is null).</summary>
    [Alias("ListAudit")]
    Task<Page<AuditEntry>> ListAuditAsync(string poolId, string? cursor, int limit, AuditFilter? filter = null);

    /// <summary>Whether any application lists this origin among its allowed web origins (for CORS preflights).</summary>
    [Alias("IsOriginAllowed")]
    Task<bool> IsOriginAllowedAsync(string origin);
}
