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

    async Task<Page<AuditEntry>> ICatalogGrain.ListAuditAsync(string poolId, string? cursor, int limit)
    {
        var after = long.TryParse(Cursors.Decode(cursor), out var sequence) ? sequence : 0;
        var entries = await catalog.ListAuditAsync(poolId, after, limit + 1);
        return new Page<AuditEntry>(entries.Take(limit).ToArray(), entries.Count > limit ? Cursors.Encode(entries[limit - 1].Sequence.ToString()) : null);
    }
}

/// <summary>Opaque cursors: the last id seen, base64url-encoded so clients do not build them.</summary>
public static class Cursors
{
    public static string Encode(string lastId) => Secrets.Base64Url(System.Text.Encoding.UTF8.GetBytes(lastId));

    public static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException)
        {
            return "\uffff"; // an unreadable cursor is past the end: an empty page, not an error
        }
    }
}
