namespace ScanLogin.Grains.Accounts;

/// <summary>
/// Wrong binding passwords, counted per (account, WeChat identity): the identity that tried too many is refused for that
/// account for a while, and nobody else is. A stranger with one WeChat account therefore cannot lock an account for its
/// owner; the ticket's own limit and the per-address limit bound how fast anyone guesses. Kept by the pool grain in memory
/// (a few pairs per attacker, pruned): a restart forgets counts, which only gives back a handful of guesses.
/// </summary>
public sealed class PasswordAttempts(int limit, TimeSpan lockFor, int capacity = 100_000)
{
    private readonly Dictionary<(string Account, string Identity), (int Failures, DateTimeOffset LastAt)> _pairs = [];

    /// <summary>True while this identity has used up its wrong passwords on this account.</summary>
    public bool IsLocked(string account, string identity, DateTimeOffset now) =>
        _pairs.TryGetValue((account, identity), out var pair) && pair.Failures >= limit && now < pair.LastAt + lockFor;

    /// <summary>Counts one wrong password; counting starts again once a lock (or a quiet spell as long) has passed.</summary>
    public void Fail(string account, string identity, DateTimeOffset now)
    {
        if (_pairs.Count >= capacity) Prune(now);
        var failures = _pairs.TryGetValue((account, identity), out var pair) && now < pair.LastAt + lockFor ? pair.Failures : 0;
        _pairs[(account, identity)] = (failures + 1, now);
    }

    /// <summary>The right password: this pair starts afresh.</summary>
    public void Forget(string account, string identity) => _pairs.Remove((account, identity));

    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _pairs.Where(p => now >= p.Value.LastAt + lockFor).Select(p => p.Key).ToList()) _pairs.Remove(key);
        // Still full of live pairs (an attack from very many identities): drop the oldest half rather than grow without bound.
        if (_pairs.Count >= capacity)
            foreach (var key in _pairs.OrderBy(p => p.Value.LastAt).Take(_pairs.Count / 2).Select(p => p.Key).ToList()) _pairs.Remove(key);
    }
}
