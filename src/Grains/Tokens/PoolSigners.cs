using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Tokens;

/// <summary>
/// This silo's copy of each pool's signing keys, decrypted once and refreshed from the pool's key grain every
/// <see cref="OidcOptions.SignerRefresh"/>. Keys carry their own timings, so a cached set switches to a rotated key
/// on time without asking anyone.
/// </summary>
public sealed class PoolSigners(IGrainFactory grains, SecretProtector protector, ProductClock clock)
{
    private readonly ConcurrentDictionary<string, Task<PoolSigner?>> _pools = new();

    /// <summary>Whether this silo holds the pool's keys already (then the pool has keys).</summary>
    public bool IsLoaded(string poolId) => _pools.TryGetValue(poolId, out var cached) && cached.IsCompletedSuccessfully && cached.Result is not null;

    /// <summary>The pool's signer, or null when the pool does not exist.</summary>
    public async Task<PoolSigner?> GetAsync(string poolId)
    {
        PoolSigner? previous = null;
        if (_pools.TryGetValue(poolId, out var cached))
        {
            if (!cached.IsCompleted) return await cached;
            if (cached.IsCompletedSuccessfully && cached.Result is { } signer)
            {
                if (clock.Now - signer.LoadedAt < OidcOptions.SignerRefresh) return signer;
                previous = signer;
            }
        }
        // Two callers may refresh at once; both get a correct set and the last one stays.
        var loading = LoadAsync(poolId, previous);
        _pools[poolId] = loading;
        var loaded = await loading;
        if (loaded is null) _pools.TryRemove(KeyValuePair.Create(poolId, loading));
        return loaded;
    }

    private async Task<PoolSigner?> LoadAsync(string poolId, PoolSigner? previous)
    {
        var set = await grains.GetGrain<IPoolSigningKeysGrain>(poolId).GetKeySetAsync();
        if (set is null) return null;
        var keys = new List<PoolSigningKey>(set.Keys.Length);
        foreach (var stored in set.Keys)
        {
            // Keep the key objects already loaded: no decryption, and the crypto library's cached signers stay warm.
            var key = previous?.Find(stored.KeyId)?.Key;
            if (key is null)
            {
                var pkcs8 = Convert.FromBase64String(await protector.UnprotectAsync(stored.ProtectedPrivateKey, SecretContext.SigningKeyOf(poolId, stored.KeyId)));
                try
                {
                    key = SigningKeyMaterial.Load(stored.Algorithm, stored.KeyId, pkcs8);
                }
                finally
                {
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(pkcs8);
                }
            }
            keys.Add(new PoolSigningKey(stored.KeyId, stored.Algorithm, key, stored.SignsFrom, stored.SignsUntil, stored.PublishedUntil));
        }
        return new PoolSigner(set.Issuer, set.TokenLifetime, keys, clock.Now);
    }
}

/// <summary>One pool's keys as this silo holds them.</summary>
public sealed record PoolSigner(string Issuer, TimeSpan TokenLifetime, IReadOnlyList<PoolSigningKey> Keys, DateTimeOffset LoadedAt)
{
    public PoolSigningKey? Find(string keyId) => Keys.FirstOrDefault(k => k.KeyId == keyId);

    /// <summary>The key that signs at this instant: the newest whose signing period has begun and not ended.</summary>
    public PoolSigningKey SigningKeyAt(DateTimeOffset now) =>
        Keys.Where(k => k.SignsFrom <= now && (k.SignsUntil is not { } until || now < until)).MaxBy(k => k.SignsFrom)
        // Never reached with a set from the key grain (a key stops signing exactly when its successor starts); be safe anyway.
        ?? Keys.MaxBy(k => k.SignsFrom)!;

    /// <summary>The keys a token may be verified with at this instant.</summary>
    public IEnumerable<SecurityKey> VerifyingKeysAt(DateTimeOffset now) =>
        Keys.Where(k => k.PublishedUntil is not { } until || now < until).Select(k => (SecurityKey)k.Key);
}

public sealed record PoolSigningKey(string KeyId, string Algorithm, AsymmetricSecurityKey Key, DateTimeOffset SignsFrom,
    DateTimeOffset? SignsUntil, DateTimeOffset? PublishedUntil)
{
    public string JwsAlgorithm => Algorithm == SigningAlgorithms.ES256 ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;

    public override string ToString() => $"PoolSigningKey {{ {KeyId}, {Algorithm} }}";
}
