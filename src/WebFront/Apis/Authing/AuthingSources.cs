using System.Collections.Concurrent;
using System.Text.Json;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis.Authing;

/// <summary>
/// Which identity source an Authing <c>gene</c> without <c>extIdpConnId</c> means: the application's one enabled WeChat scan
/// source. Read from the catalog (no grain activations) and remembered for a little while; the ticket grain still checks
/// the source it is given, so a stale answer can only fail, never let a disabled source through.
/// </summary>
public sealed class AuthingSources(IClusterClient cluster, TimeProvider time)
{
    public const string Ambiguous = "identity_source_ambiguous";
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);
    private const int PageSize = 200;
    private readonly ConcurrentDictionary<string, (Outcome<string> Source, DateTimeOffset Until)> _defaults = new();

    public async Task<Outcome<string>> DefaultForAsync(ApplicationSettings app)
    {
        var now = time.GetUtcNow();
        if (_defaults.TryGetValue(app.AppId, out var known) && known.Until > now) return known.Source;
        var found = await FindAsync(app);
        if (_defaults.Count > 10_000) _defaults.Clear(); // bounded: one entry per application seen
        _defaults[app.AppId] = (found, now + RememberFor);
        return found;
    }

    private async Task<Outcome<string>> FindAsync(ApplicationSettings app)
    {
        var catalog = cluster.GetGrain<ICatalogGrain>(0);
        var enabled = new List<string>();
        string? cursor = null;
        do
        {
            var page = await catalog.ListAsync(CatalogKind.IdentitySources, app.PoolId, cursor, PageSize);
            foreach (var row in page.Items)
            {
                using var json = JsonDocument.Parse(row.Json);
                var source = json.RootElement;
                if (source.GetProperty("enabled").GetBoolean()
                    && source.GetProperty("applicationIds").EnumerateArray().Any(id => id.GetString() == app.AppId))
                    enabled.Add(source.GetProperty("identifier").GetString()!);
            }
            cursor = page.NextCursor;
        } while (cursor is not null);

        return enabled switch
        {
            [var only] => only,
            [] => new Failure(FailureCodes.IdentitySourceNotFound, $"Application {app.AppId} has no enabled WeChat scan identity source."),
            _ => new Failure(Ambiguous,
                $"Application {app.AppId} has several enabled WeChat scan identity sources ({string.Join(", ", enabled.Order())}): name one with extIdpConnId."),
        };
    }
}
