using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Admin;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Tokens;

/// <summary>
/// One pool's signing keys. The first key is made when first needed and signs at once (nobody can have cached an
/// older JWKS); a rotation publishes the new key first and lets it sign only after the propagation delay; a key
/// that stopped signing stays published until the longest token it can have signed has expired, then is dropped.
/// </summary>
public sealed class PoolSigningKeysGrain(
    [PersistentState("signing-keys", StorageNames.Configuration)] IPersistentState<PoolSigningKeysState> state,
    SecretProtector protector,
    IOptions<OidcOptions> options,
    ProductClock clock,
    AdminRecorder recorder,
    ILogger<PoolSigningKeysGrain> logger) : Grain, IPoolSigningKeysGrain
{
    private const string ResourceType = "signing_key";
    private string PoolId => this.GetPrimaryKeyString();

    async Task<SigningKeySet?> IPoolSigningKeysGrain.GetKeySetAsync()
    {
        if (await ReadyAsync() is not { } pool) return null;
        var now = clock.Now;
        return new SigningKeySet(options.Value.IssuerOf(PoolId), pool.TokenLifetime, state.State.Keys.Where(k => k.IsPublishedAt(now))
            .Select(k => new ProtectedSigningKey(k.KeyId, k.Algorithm, k.ProtectedPrivateKey, k.SignsFrom, k.SignsUntil, k.PublishedUntil)).ToArray());
    }

    async Task<bool> IPoolSigningKeysGrain.HasKeysAsync()
    {
        if (state.State.Keys.Length == 0) return false;
        var pool = await GrainFactory.GetGrain<IUserPoolGrain>(PoolId).GetVersionedAsync();
        var now = clock.Now;
        return pool is not null && state.State.PoolCreatedAt == pool.CreatedAt && state.State.Keys.Any(k => k.IsPublishedAt(now));
    }

    async Task<PublishedSigningKeys?> IPoolSigningKeysGrain.GetPublishedAsync()
    {
        if (await ReadyAsync() is null) return null;
        var now = clock.Now;
        // Newest first: the key that will sign next is the one a relying party most needs to find.
        return new PublishedSigningKeys(options.Value.IssuerOf(PoolId),
            state.State.Keys.Where(k => k.IsPublishedAt(now)).OrderByDescending(k => k.SignsFrom).Select(k => k.PublicKey).ToArray(),
            options.Value.JwksCacheDuration);
    }

    async Task<Outcome<SigningKeyView[]>> IPoolSigningKeysGrain.ListAsync()
    {
        if (await ReadyAsync() is null) return PoolNotFound();
        return Views(clock.Now);
    }

    async Task<Outcome<SigningKeyView[]>> IPoolSigningKeysGrain.RotateAsync(string? algorithm, Actor actor)
    {
        algorithm ??= options.Value.SigningAlgorithm;
        if (!SigningAlgorithms.IsSupported(algorithm))
            return new Failure(TokenFailureCodes.AlgorithmUnsupported, $"algorithm: one of {string.Join(", ", SigningAlgorithms.All)}.");
        if (await ReadyAsync() is null) return PoolNotFound();
        var now = clock.Now;
        if (state.State.Keys.FirstOrDefault(k => k.StatusAt(now) == SigningKeyStatus.Next) is { } pending)
            return new Failure(TokenFailureCodes.RotationPending,
                $"Key {pending.KeyId} is already waiting to sign from {pending.SignsFrom:O}; rotate again after that.");

        var signsFrom = now + options.Value.KeyPropagationDelay;
        var current = state.State.Keys.Single(k => k.SignsAt(now));
        var next = await NewKeyAsync(algorithm, now, signsFrom);
        var retiring = current with { SignsUntil = signsFrom };
        await SaveAsync(state.State with { Keys = [.. state.State.Keys.Select(k => k == current ? retiring : k), next] });
        await recorder.AuditAsync(PoolId, "rotate", actor, ResourceType, current.KeyId, current.ToView(now), retiring.ToView(now));
        await recorder.AuditAsync(PoolId, "create", actor, ResourceType, next.KeyId, null, next.ToView(now));
        logger.LogInformation("Pool {PoolId} rotates its signing key: {KeyId} ({Algorithm}) signs from {SignsFrom:O}", PoolId, next.KeyId, algorithm, signsFrom);
        return Views(now);
    }

    /// <summary>
    /// The pool's settings once its keys are in order: this incarnation's, expired ones dropped, a signing key present.
    /// Null when the pool does not exist.
    /// </summary>
    private async Task<UserPoolSettings?> ReadyAsync()
    {
        var pool = await GrainFactory.GetGrain<IUserPoolGrain>(PoolId).GetVersionedAsync();
        if (pool is null) return null;
        var now = clock.Now;
        var keys = state.State.PoolCreatedAt == pool.CreatedAt ? state.State.Keys : [];
        var published = keys.Where(k => k.IsPublishedAt(now)).ToArray();
        var kept = await BoundToThisPoolAsync(published);
        if (!kept.Any(k => k.SignsAt(now)))
        {
            var first = await NewKeyAsync(options.Value.SigningAlgorithm, now, now);
            kept = [.. kept, first];
            await SaveAsync(new PoolSigningKeysState { PoolCreatedAt = pool.CreatedAt, Keys = kept });
            await recorder.AuditAsync(PoolId, "create", Actor.System, ResourceType, first.KeyId, null, first.ToView(now));
            logger.LogInformation("Pool {PoolId} has its first signing key {KeyId} ({Algorithm})", PoolId, first.KeyId, first.Algorithm);
        }
        // (Keys of an earlier pool of this id are never kept: that case always makes a first key above.)
        else if (kept.Length != state.State.Keys.Length || !kept.SequenceEqual(published))
        {
            await SaveAsync(new PoolSigningKeysState { PoolCreatedAt = pool.CreatedAt, Keys = kept });
        }
        return pool.Value;
    }

    /// <summary>Keys stored before ciphertexts were bound to their record, read and encrypted again bound to this pool and key.</summary>
    private async Task<StoredSigningKey[]> BoundToThisPoolAsync(StoredSigningKey[] keys)
    {
        var bound = new StoredSigningKey[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var context = SecretContext.SigningKeyOf(PoolId, key.KeyId);
            bound[i] = SecretProtector.IsBoundToItsRecord(key.ProtectedPrivateKey) ? key
                : key with { ProtectedPrivateKey = await protector.ProtectAsync(await protector.UnprotectAsync(key.ProtectedPrivateKey, context), context) };
        }
        return bound;
    }

    private async Task<StoredSigningKey> NewKeyAsync(string algorithm, DateTimeOffset now, DateTimeOffset signsFrom)
    {
        var (pkcs8, publicKey) = SigningKeyMaterial.Create(algorithm);
        try
        {
            return new StoredSigningKey(publicKey, await protector.ProtectAsync(Convert.ToBase64String(pkcs8), SecretContext.SigningKeyOf(PoolId, publicKey.Kid)),
                now, signsFrom, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Writes the new state; if the write fails, memory keeps what storage holds.</summary>
    private async Task SaveAsync(PoolSigningKeysState next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }

    private SigningKeyView[] Views(DateTimeOffset now) => state.State.Keys.OrderByDescending(k => k.SignsFrom).Select(k => k.ToView(now)).ToArray();

    private Failure PoolNotFound() => new(FailureCodes.UserPoolNotFound, $"User pool {PoolId} does not exist.");
}
