using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Orleans.Serialization;
using ScanLogin.Grains.Tickets;
using StackExchange.Redis;

namespace ScanLogin.Grains.Sessions;

/// <summary>
/// Where sessions and refresh-token families live: one expiring record per id, written by compare-and-set on its version
/// (0: not stored yet), and one index per user (the ids of the user's records) so an operator can end them all.
/// </summary>
public interface ISessionStore<T> where T : class, IVersionedRecord
{
    Task<T?> ReadAsync(string id);

    /// <summary>Stores <paramref name="next"/> if the stored version is <paramref name="expectedVersion"/>; forgotten at <paramref name="forgetAt"/>.</summary>
    Task<bool> WriteAsync(string id, T next, int expectedVersion, DateTimeOffset forgetAt);

    /// <summary>Forgets the record; true if it was there.</summary>
    Task<bool> DeleteAsync(string id);

    /// <summary>Adds the id to the user's index, which lasts at least until <paramref name="forgetAt"/>.</summary>
    Task IndexAsync(string poolId, string userId, string id, DateTimeOffset forgetAt);

    /// <summary>Takes the user's index away (its ids, some perhaps already expired).</summary>
    Task<string[]> TakeIndexAsync(string poolId, string userId);
}

/// <summary>
/// The Redis layout of the tickets and hosted logins (<see cref="RedisTicketStore"/>): one string per record, its version
/// (4 bytes, big-endian) then the Orleans-serialized state, expiring by itself; the same compare-and-set script and
/// connection setup. Keys <c>{serviceId}/{kind}/{id}</c>; a user's index is a set <c>{serviceId}/{kind}-of/{poolId}/{userId}</c>.
/// </summary>
public sealed class RedisSessionStore<T>(string connectionString, string serviceId, string kind, Serializer<T> serializer)
    : ISessionStore<T>, IAsyncDisposable where T : class, IVersionedRecord
{
    private const int VersionBytes = RedisTicketStore.VersionBytes;
    private const string ExtendScript = """
        redis.call('SADD', KEYS[1], ARGV[1])
        local ttl = redis.call('PEXPIRETIME', KEYS[1])
        if ttl < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
        return 1
        """;
    private const string TakeScript = """
        local ids = redis.call('SMEMBERS', KEYS[1])
        redis.call('DEL', KEYS[1])
        return ids
        """;

    private readonly Lazy<Task<ConnectionMultiplexer>> _redis = new(() => RedisTicketStore.ConnectAsync(connectionString));

    public RedisKey KeyOf(string id) => $"{serviceId}/{kind}/{id}";

    private RedisKey IndexOf(string poolId, string userId) => $"{serviceId}/{kind}-of/{poolId}/{userId}";

    public async Task<T?> ReadAsync(string id)
    {
        byte[]? stored = await (await _redis.Value).GetDatabase().StringGetAsync(KeyOf(id));
        return stored is null ? null : serializer.Deserialize(new ReadOnlyMemory<byte>(stored, VersionBytes, stored.Length - VersionBytes));
    }

    public async Task<bool> WriteAsync(string id, T next, int expectedVersion, DateTimeOffset forgetAt)
    {
        var db = (await _redis.Value).GetDatabase();
        var writer = new ArrayBufferWriter<byte>(256);
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(VersionBytes), next.Version);
        writer.Advance(VersionBytes);
        serializer.Serialize(next, writer);
        var forgetAtMs = forgetAt.ToUnixTimeMilliseconds();
        if (expectedVersion == 0)
            return !(await db.ExecuteAsync("SET", KeyOf(id), writer.WrittenMemory, "NX", "PXAT", forgetAtMs)).IsNull;
        return (long)await db.ScriptEvaluateAsync(RedisTicketStore.WriteScript, [KeyOf(id)],
            [RedisTicketStore.VersionOf(expectedVersion), writer.WrittenMemory, forgetAtMs]) == 1;
    }

    public async Task<bool> DeleteAsync(string id) => await (await _redis.Value).GetDatabase().KeyDeleteAsync(KeyOf(id));

    public async Task IndexAsync(string poolId, string userId, string id, DateTimeOffset forgetAt) =>
        await (await _redis.Value).GetDatabase().ScriptEvaluateAsync(ExtendScript, [IndexOf(poolId, userId)], [id, forgetAt.ToUnixTimeMilliseconds()]);

    public async Task<string[]> TakeIndexAsync(string poolId, string userId)
    {
        var taken = await (await _redis.Value).GetDatabase().ScriptEvaluateAsync(TakeScript, [IndexOf(poolId, userId)]);
        return ((RedisResult[]?)taken ?? []).Select(r => (string)r!).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis.IsValueCreated) await (await _redis.Value).DisposeAsync();
    }
}

/// <summary>Sessions in this process only (no Redis configured: development and grain tests). Same rules, same expiry.</summary>
public sealed class MemorySessionStore<T>(TicketClock clock, Serializer<T> serializer) : ISessionStore<T> where T : class, IVersionedRecord
{
    private readonly ConcurrentDictionary<string, (byte[] State, int Version, DateTimeOffset ForgetAt)> _records = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _indexes = new();

    public Task<T?> ReadAsync(string id) =>
        Task.FromResult(_records.TryGetValue(id, out var kept) && kept.ForgetAt > clock.Now ? serializer.Deserialize(kept.State) : null);

    public Task<bool> WriteAsync(string id, T next, int expectedVersion, DateTimeOffset forgetAt)
    {
        if (_records.TryGetValue(id, out var old) && old.ForgetAt <= clock.Now) _records.TryRemove(new(id, old));
        var entry = (serializer.SerializeToArray(next), next.Version, forgetAt);
        var written = expectedVersion == 0
            ? _records.TryAdd(id, entry)
            : _records.TryGetValue(id, out var stored) && stored.Version == expectedVersion && _records.TryUpdate(id, entry, stored);
        return Task.FromResult(written);
    }

    public Task<bool> DeleteAsync(string id) => Task.FromResult(_records.TryRemove(id, out _));

    public Task IndexAsync(string poolId, string userId, string id, DateTimeOffset forgetAt)
    {
        _indexes.GetOrAdd($"{poolId}/{userId}", _ => new())[id] = true;
        return Task.CompletedTask;
    }

    public Task<string[]> TakeIndexAsync(string poolId, string userId) =>
        Task.FromResult(_indexes.TryRemove($"{poolId}/{userId}", out var ids) ? ids.Keys.ToArray() : []);
}
