using System.Collections.Concurrent;

namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// This silo's decoded logos, by content hash: each logo is fetched and decoded once, then every ticket of
/// every identity source using it shares the same artwork and plates.
/// </summary>
public sealed class LogoLibrary
{
    private const int Capacity = 512;
    private readonly ConcurrentDictionary<string, Lazy<Task<LogoArtwork?>>> _logos = new(StringComparer.Ordinal);

    public Task<LogoArtwork?> GetAsync(string? hash, Func<Task<byte[]?>> fetch)
    {
        if (hash is null) return Task.FromResult<LogoArtwork?>(null);
        if (_logos.Count > Capacity) _logos.Clear(); // rare: many distinct logos on one silo; they decode again on demand
        var entry = _logos.GetOrAdd(hash, _ => new Lazy<Task<LogoArtwork?>>(async () =>
        {
            var bytes = await fetch();
            return bytes is null ? null : LogoArtwork.Decode(bytes);
        }));
        var task = entry.Value;
        // A failed or empty fetch is not remembered: the next ticket tries again.
        task.ContinueWith(t => { if (!t.IsCompletedSuccessfully || t.Result is null) _logos.TryRemove(new(hash, entry)); },
            TaskScheduler.Default);
        return task;
    }
}
