using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Orleans.Serialization;
using ScanLogin.Grains.Tickets;
using StackExchange.Redis;

namespace ScanLogin.Grains.Storage;

/// <summary>A stored record with the compare-and-set version its store checks (0: not stored yet).</summary>
public interface IVersionedRecord
{
    int Version { get; set; }
}

/// <summary>
/// Where short-lived records live beside the tickets (hosted logins, pool sessions, refresh-token families): one record
/// per id, forgotten by the store itself at its deadline, so an abandoned one leaves nothing behind (no row, no timer, no
/// activation). Each write is a compare-and-set on the record's version, so two activations can never both win a change.
/// </summary>
public interface IExpiringRecordStore<T> where T : class, IVersionedRecord
{
    Task<T?> ReadAsync(string id);

    /// <summary>Stores <paramref name="next"/> if the stored version is <paramref name="expectedVersion"/> (0: none stored);
    /// false otherwise. The store forgets the record by itself at <paramref name="forgetAt"/>.</summary>
    Task<bool> WriteAsync(string id, T next, int expectedVersion, DateTimeOffset forgetAt);
}

/// <summary>
/// The Redis layout of the tickets (<see cref="RedisTicketStore"/>): one string per record under <c>{serviceId}/{kind}/{id}</c>,
/// its version (4 bytes, big-endian) then the Orleans-serialized state, the key expiring at the record's deadline; the same
/// compare-and-set script and connection setup.
/// </summary>
public class RedisExpiringRecordStore<T>(string connectionString, string serviceId, string kind, Serializer<T> serializer)
    : IExpiringRecordStore<T>, IAsyncDisposable where T : class, IVersionedRecord
{
    private const int VersionBytes = RedisTicketStore.VersionBytes;

    private readonly Lazy<Task<ConnectionMultiplexer>> _redis = new(() => RedisTicketStore.ConnectAsync(connectionString));

    protected string ServiceId => serviceId;

    protected string Kind => kind;

    public RedisKey KeyOf(string id) => $"{serviceId}/{kind}/{id}";

    protected async Task<IDatabase> DatabaseAsync() => (await _redis.Value).GetDatabase();

    public async Task<T?> ReadAsync(string id)
    {
        byte[]? stored = await (await DatabaseAsync()).StringGetAsync(KeyOf(id));
        return stored is null ? null : serializer.Deserialize(new ReadOnlyMemory<byte>(stored, VersionBytes, stored.Length - VersionBytes));
    }

    public async Task<bool> WriteAsync(string id, T next, int expectedVersion, DateTimeOffset forgetAt)
    {
        var db = await DatabaseAsync();
        var writer = new ArrayBufferWriter<byte>(512);
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(VersionBytes), next.Version);
        writer.Advance(VersionBytes);
        serializer.Serialize(next, writer);
        var forgetAtMs = forgetAt.ToUnixTimeMilliseconds();
        if (expectedVersion == 0)
            return !(await db.ExecuteAsync("SET", KeyOf(id), writer.WrittenMemory, "NX", "PXAT", forgetAtMs)).IsNull;
        return (long)await db.ScriptEvaluateAsync(RedisTicketStore.WriteScript, [KeyOf(id)],
            [RedisTicketStore.VersionOf(expectedVersion), writer.WrittenMemory, forgetAtMs]) == 1;
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis.IsValueCreated) await (await _redis.Value).DisposeAsync();
    }
}

/// <summary>The same records in this process only (no Redis configured: development and grain tests). Same rules, same expiry.</summary>
public class MemoryExpiringRecordStore<T>(ProductClock clock, Serializer<T> serializer) : IExpiringRecordStore<T> where T : class, IVersionedRecord
{
    // Kept serialized, as Redis keeps them: a caller changing its copy changes nothing stored.
    protected ConcurrentDictionary<string, (byte[] State, int Version, DateTimeOffset ForgetAt)> Records { get; } = new();

    public Task<T?> ReadAsync(string id) =>
        Task.FromResult(Records.TryGetValue(id, out var kept) && kept.ForgetAt > clock.Now ? serializer.Deserialize(kept.State) : null);

    public Task<bool> WriteAsync(string id, T next, int expectedVersion, DateTimeOffset forgetAt)
    {
        // What Redis would have expired by now: swept once there are many, and the record written always.
        if (Records.Count > 1024)
            foreach (var (key, kept) in Records)
                if (kept.ForgetAt <= clock.Now) Records.TryRemove(new(key, kept));
        if (Records.TryGetValue(id, out var old) && old.ForgetAt <= clock.Now) Records.TryRemove(new(id, old));
        var entry = (serializer.SerializeToArray(next), next.Version, forgetAt);
        var written = expectedVersion == 0
            ? Records.TryAdd(id, entry)
            : Records.TryGetValue(id, out var stored) && stored.Version == expectedVersion && Records.TryUpdate(id, entry, stored);
        return Task.FromResult(written);
    }
}
