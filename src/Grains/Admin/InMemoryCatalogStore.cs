using System.Text.Json;

namespace ScanLogin.Grains.Admin;

/// <summary>The development catalog: same ordering and paging as PostgreSQL, lost on restart.</summary>
public sealed class InMemoryCatalogStore : ICatalogStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<(CatalogKind, string, string), string> _rows = [];
    private readonly List<AuditEntry> _audit = [];
    private readonly Accounts.IUserStore _users;

    public InMemoryCatalogStore(Accounts.IUserStore users) => _users = users;

    public Task UpsertAsync(CatalogKind kind, string poolId, string id, string json)
    {
        lock (_gate) _rows[(kind, poolId, id)] = json;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(CatalogKind kind, string poolId, string id)
    {
        lock (_gate) _rows.Remove((kind, poolId, id));
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<CatalogRow>> ListAsync(CatalogKind kind, string? poolId, string? afterId, int limit)
    {
        if (kind == CatalogKind.Users && _users is Accounts.InMemoryUserStore memory)
            return memory.List(poolId!, afterId, limit).Select(u => new CatalogRow(u.Id, JsonSerializer.Serialize(u, AdminJson.Options))).ToList();
        await Task.CompletedTask;
        lock (_gate)
            return _rows.Where(r => r.Key.Item1 == kind && (poolId is null || r.Key.Item2 == poolId)
                                    && (afterId is null || string.CompareOrdinal(r.Key.Item3, afterId) > 0))
                .OrderBy(r => r.Key.Item3, StringComparer.Ordinal).Take(limit)
                .Select(r => new CatalogRow(r.Key.Item3, r.Value)).ToList();
    }

    public Task<bool> IsOriginAllowedAsync(string origin)
    {
        lock (_gate)
            return Task.FromResult(_rows.Where(r => r.Key.Item1 == CatalogKind.Applications)
                .Any(r => JsonSerializer.Deserialize<ApplicationView>(r.Value, AdminJson.Options)!.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)));
    }

    public Task AppendAuditAsync(AuditEntry entry)
    {
        lock (_gate) _audit.Add(entry with { Sequence = _audit.Count + 1 });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string poolId, long afterSequence, int limit, AuditFilter filter)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<AuditEntry>>(_audit.Where(a => a.PoolId == poolId && a.Sequence > afterSequence && filter.Keeps(a))
                .Take(limit).ToList());
    }
}
