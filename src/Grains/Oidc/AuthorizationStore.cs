using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Orleans.Serialization;
using ScanLogin.Grains.Tickets;
using StackExchange.Redis;

namespace ScanLogin.Grains.Oidc;

/// <summary>
/// Where hosted logins live: beside the tickets, each forgotten by the store itself at its deadline, so an abandoned
/// /authorize leaves nothing behind (no row, no timer, no activation). Each write is a compare-and-set on the login's
/// version (0: not stored yet), so a code is used up exactly once even if two activations race.
/// </summary>
public interface IAuthorizationStore
{
    Task<AuthorizationState?> ReadAsync(string requestId);

    /// <summary>Stores <paramref name="next"/> if the stored version is <paramref name="expectedVersion"/>; false otherwise.
    /// The store forgets the login by itself at <paramref name="forgetAt"/>.</summary>
    Task<bool> WriteAsync(string requestId, AuthorizationState next, int expectedVersion, DateTimeOffset forgetAt);
}

/// <summary>
/// Hosted logins in Redis, laid out like the tickets (<see cref="RedisTicketStore"/>): one string per login, its version
/// (4 bytes, big-endian) then the Orleans-serialized state, the key expiring at the login's deadline.
/// </summary>
public sealed class RedisAuthorizationStore(string connectionString, string serviceId, Serializer<AuthorizationState> serializer)
    : IAuthorizationStore, IAsyncDisposable
{
    // The ticket store's layout: a version prefix, then the state; the same compare-and-set script and connection setup.
    private const int VersionBytes = RedisTicketStore.VersionBytes;

    private readonly Lazy<Task<ConnectionMultiplexer>> _redis = new(() => RedisTicketStore.ConnectAsync(connectionString));

    public RedisKey KeyOf(string requestId) => $"{serviceId}/authorizations/{requestId}";

    public async Task<AuthorizationState?> ReadAsync(string requestId)
    {
        byte[]? stored = await (await _redis.Value).GetDatabase().StringGetAsync(KeyOf(requestId));
        return stored is null ? null : serializer.Deserialize(new ReadOnlyMemory<byte>(stored, VersionBytes, stored.Length - VersionBytes));
    }

    public async Task<bool> WriteAsync(string requestId, AuthorizationState next, int expectedVersion, DateTimeOffset forgetAt)
    {
        var db = (await _redis.Value).GetDatabase();
        var writer = new ArrayBufferWriter<byte>(512);
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(VersionBytes), next.Version);
        writer.Advance(VersionBytes);
        serializer.Serialize(next, writer);
        var forgetAtMs = forgetAt.ToUnixTimeMilliseconds();
        if (expectedVersion == 0)
            return !(await db.ExecuteAsync("SET", KeyOf(requestId), writer.WrittenMemory, "NX", "PXAT", forgetAtMs)).IsNull;
        return (long)await db.ScriptEvaluateAsync(RedisTicketStore.WriteScript, [KeyOf(requestId)],
            [RedisTicketStore.VersionOf(expectedVersion), writer.WrittenMemory, forgetAtMs]) == 1;
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis.IsValueCreated) await (await _redis.Value).DisposeAsync();
    }
}

/// <summary>Hosted logins in this process only (no Redis configured: development and grain tests). Same rules, same expiry.</summary>
public sealed class MemoryAuthorizationStore(ProductClock clock, Serializer<AuthorizationState> serializer) : IAuthorizationStore
{
    // Kept serialized, as Redis keeps them: a caller changing its copy changes nothing stored.
    private readonly ConcurrentDictionary<string, (byte[] State, int Version, DateTimeOffset ForgetAt)> _logins = new();

    public Task<AuthorizationState?> ReadAsync(string requestId) =>
        Task.FromResult(_logins.TryGetValue(requestId, out var kept) && kept.ForgetAt > clock.Now ? serializer.Deserialize(kept.State) : null);

    public Task<bool> WriteAsync(string requestId, AuthorizationState next, int expectedVersion, DateTimeOffset forgetAt)
    {
        if (_logins.Count > 1024)
            foreach (var (id, kept) in _logins)
                if (kept.ForgetAt <= clock.Now) _logins.TryRemove(new(id, kept));
        var entry = (serializer.SerializeToArray(next), next.Version, forgetAt);
        var written = expectedVersion == 0
            ? _logins.TryAdd(requestId, entry)
            : _logins.TryGetValue(requestId, out var stored) && stored.Version == expectedVersion && _logins.TryUpdate(requestId, entry, stored);
        return Task.FromResult(written);
    }
}
