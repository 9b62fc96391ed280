using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace ScanLogin.Grains.Access;

/// <summary>
/// This silo's cache of application and identity-source settings, which the access policy decides from (at ticket
/// creation and for the front end's questions), so a creation costs no configuration grain call. Each entry is kept at most <see cref="Bound"/>; an admin change forgets its entry in every
/// active silo at once (<see cref="SettingsCacheClient"/>), so the bound only matters for a silo that missed the news
/// (it was joining, or the call failed). Unknown ids are remembered too, so random ids cannot make every request a grain call.
/// </summary>
public sealed class SettingsCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    // Enough for every live application of a large deployment; past it the cache starts over rather than grow without end.
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, (ApplicationSettings? Value, long Until)> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (IdentitySourceSettings? Value, long Until)> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string[]? Value, long Until)> _poolSources = new(StringComparer.Ordinal);
    // Bumped by every forget: a load that started before it must not store what it read.
    private long _generation;

    public Task<ApplicationSettings?> ApplicationAsync(string appId) =>
        GetAsync(_apps, appId, static (g, key) => g.GetGrain<IApplicationGrain>(key).GetAsync());

    /// <param name="key">The source's grain key, <see cref="IdentitySourceSettings.KeyOf"/>.</param>
    public Task<IdentitySourceSettings?> IdentitySourceAsync(string key) =>
        GetAsync(_sources, key, static (g, k) => g.GetGrain<IIdentitySourceGrain>(k).GetAsync());

    /// <summary>The identifiers of a pool's identity sources (from the catalog, which activates none of them).</summary>
    public Task<string[]?> PoolSourcesAsync(string poolId) => GetAsync(_poolSources, poolId, static async (g, pool) =>
    {
        var catalog = g.GetGrain<ICatalogGrain>(0);
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await catalog.ListAsync(CatalogKind.IdentitySources, pool, cursor, 200);
            ids.AddRange(page.Items.Select(row => row.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);
        return (string[]?)[.. ids];
    });

    /// <summary>Drops what this silo knows of an application id or an identity-source key (and then of its pool's list of sources).</summary>
    public void Forget(string key)
    {
        Interlocked.Increment(ref _generation);
        _apps.TryRemove(key, out _);
        _sources.TryRemove(key, out _);
        if (key.IndexOf('/') is > 0 and var slash) _poolSources.TryRemove(key[..slash], out _);
    }

    private Task<T?> GetAsync<T>(ConcurrentDictionary<string, (T? Value, long Until)> cache, string key, Func<IGrainFactory, string, Task<T?>> load)
        where T : class
    {
        if (cache.TryGetValue(key, out var kept) && kept.Until > time.GetTimestamp()) return Task.FromResult(kept.Value);
        return LoadAsync(cache, key, load);
    }

    private async Task<T?> LoadAsync<T>(ConcurrentDictionary<string, (T? Value, long Until)> cache, string key, Func<IGrainFactory, string, Task<T?>> load)
        where T : class
    {
        var generation = Interlocked.Read(ref _generation);
        var value = await load(grains, key);
        if (cache.Count >= MaxEntries) cache.Clear();
        var until = time.GetTimestamp() + (long)(Bound.TotalSeconds * time.TimestampFrequency);
        cache[key] = (value, until);
        // Forgotten while loading: what was read may be older than the change, so it is not kept.
        if (Interlocked.Read(ref _generation) != generation) cache.TryRemove(key, out _);
        return value;
    }
}

/// <summary>Runs in every silo: the admin side tells each one to forget a changed application or identity source.</summary>
// The alias of the cache's first name: silos of both versions keep telling each other during a rolling upgrade.
[Alias("ScanLogin.ICreationSettingsService")]
public interface ISettingsCacheService : IGrainService
{
    [Alias("Forget")]
    Task ForgetAsync(string key);
}

public sealed class SettingsCacheService(GrainId id, Silo silo, Microsoft.Extensions.Logging.ILoggerFactory loggers, SettingsCache settings)
    : GrainService(id, silo, loggers), ISettingsCacheService
{
    Task ISettingsCacheService.ForgetAsync(string key)
    {
        settings.Forget(key);
        return Task.CompletedTask;
    }
}

/// <summary>Used by the configuration grains after each change: every active silo forgets its copy before the change is answered.</summary>
public sealed class SettingsCacheClient(IServiceProvider services, IClusterMembershipService membership, SettingsCache local,
    ILogger<SettingsCacheClient> logger) : GrainServiceClient<ISettingsCacheService>(services)
{
    public async Task ForgetEverywhereAsync(string key)
    {
        local.Forget(key);
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress);
        await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                await GetGrainService(silo).ForgetAsync(key);
            }
            catch (Exception e)
            {
                // The change is stored; that silo sees it when its copy runs out (SettingsCache.Bound).
                logger.LogWarning(e, "Silo {Silo} could not be told to forget the settings of {Key}", silo, key);
            }
        }));
    }
}
