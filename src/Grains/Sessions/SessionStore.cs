using Orleans.Serialization;
using ScanLogin.Grains.Storage;
using StackExchange.Redis;

namespace ScanLogin.Grains.Sessions;

/// <summary>
/// Where sessions and refresh-token families live: expiring records written by compare-and-set on their version
/// (<see cref="IExpiringRecordStore{T}"/>), and one index per user (the ids of the user's records) so an operator can end them all.
/// </summary>
public interface ISessionStore<T> : IExpiringRecordStore<T> where T : class, IVersionedRecord
{
    /// <summary>Forgets the record; true if it was there.</summary>
    Task<bool> DeleteAsync(string id);

    /// <summary>Adds the id to the user's index, which lasts at least until <paramref name="forgetAt"/>.</summary>
    Task IndexAsync(string poolId, string userId, string id, DateTimeOffset forgetAt);

    /// <summary>Takes the user's index away (its ids, some perhaps already expired).</summary>
    Task<string[]> TakeIndexAsync(string poolId, string userId);
}

/// <summary>
/// Sessions in Redis: the records as <see cref="RedisExpiringRecordStore{T}"/> lays them out; a user's index is a set
/// <c>{serviceId}/{kind}-of/{poolId}/{userId}</c> that lives as long as its longest record.
/// </summary>
public sealed class RedisSessionStore<T>(string connectionString, string serviceId, string kind, Serializer<T> serializer)
    : RedisExpiringRecordStore<T>(connectionString, serviceId, kind, serializer), ISessionStore<T> where T : class, IVersionedRecord
{
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

    private RedisKey IndexOf(string poolId, string userId) => $"{ServiceId}/{Kind}-of/{poolId}/{userId}";

    public async Task<bool> DeleteAsync(string id) => await (await DatabaseAsync()).KeyDeleteAsync(KeyOf(id));

    public async Task IndexAsync(string poolId, string userId, string id, DateTimeOffset forgetAt) =>
        await (await DatabaseAsync()).ScriptEvaluateAsync(ExtendScript, [IndexOf(poolId, userId)], [id, forgetAt.ToUnixTimeMilliseconds()]);

    public async Task<string[]> TakeIndexAsync(string poolId, string userId)
    {
        var taken = await (await DatabaseAsync()).ScriptEvaluateAsync(TakeScript, [IndexOf(poolId, userId)]);
        return ((RedisResult[]?)taken ?? []).Select(r => (string)r!).ToArray();
    }
}

/// <summary>Sessions in this process only (no Redis configured: development and grain tests). Same rules, same expiry.</summary>
public sealed class MemorySessionStore<T>(ProductClock clock, Serializer<T> serializer)
    : MemoryExpiringRecordStore<T>(clock, serializer), ISessionStore<T> where T : class, IVersionedRecord
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentDictionary<string, bool>> _indexes = new();

    public Task<bool> DeleteAsync(string id) => Task.FromResult(Records.TryRemove(id, out _));

    public Task IndexAsync(string poolId, string userId, string id, DateTimeOffset forgetAt)
    {
        _indexes.GetOrAdd($"{poolId}/{userId}", _ => new())[id] = true;
        return Task.CompletedTask;
    }

    public Task<string[]> TakeIndexAsync(string poolId, string userId) =>
        Task.FromResult(_indexes.TryRemove($"{poolId}/{userId}", out var ids) ? ids.Keys.ToArray() : []);
}
