using System.Collections.Concurrent;
using Orleans.Serialization;
using StackExchange.Redis;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// Where tickets live between moves. Each write is a compare-and-set on the ticket's version (0: not stored yet), so
/// opening a ticket needs no read first (a taken id fails the write) and two activations can never both win a move.
/// </summary>
public interface ITicketStore
{
    Task<TicketState?> ReadAsync(string ticketId);

    /// <summary>Stores <paramref name="next"/> if the stored version is <paramref name="expectedVersion"/>; false otherwise.
    /// The store forgets the ticket by itself at <paramref name="forgetAt"/>.</summary>
    Task<bool> WriteAsync(TicketState next, int expectedVersion, DateTimeOffset forgetAt);

    Task DeleteAsync(string ticketId, int version);
}

/// <summary>
/// Tickets in Redis: a hash (version, Orleans-serialized state) per ticket whose key expires when the ticket is of no
/// more interest (its deadline plus the retention), so nothing dead is left behind even if no silo is there to erase it.
/// </summary>
public sealed class RedisTicketStore(string connectionString, string serviceId, Serializer<TicketState> serializer) : ITicketStore, IAsyncDisposable
{
    private const string WriteScript = """
        local stored = redis.call('HGET', KEYS[1], 'v')
        if (not stored and ARGV[1] == '0') or stored == ARGV[1] then
          redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
          redis.call('PEXPIREAT', KEYS[1], ARGV[4])
          return 1
        end
        return 0
        """;
    private const string DeleteScript = """
        if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private readonly Lazy<Task<ConnectionMultiplexer>> _redis = new(() => ConnectionMultiplexer.ConnectAsync(connectionString));

    public RedisKey KeyOf(string ticketId) => $"{serviceId}/ticket/{ticketId}";

    public async Task<TicketState?> ReadAsync(string ticketId)
    {
        byte[]? data = await (await _redis.Value).GetDatabase().HashGetAsync(KeyOf(ticketId), "d");
        return data is null ? null : serializer.Deserialize(data);
    }

    public async Task<bool> WriteAsync(TicketState next, int expectedVersion, DateTimeOffset forgetAt)
    {
        var written = await (await _redis.Value).GetDatabase().ScriptEvaluateAsync(WriteScript, [KeyOf(next.TicketId)],
            [expectedVersion, next.Version, serializer.SerializeToArray(next), forgetAt.ToUnixTimeMilliseconds()]);
        return (long)written == 1;
    }

    public async Task DeleteAsync(string ticketId, int version) =>
        await (await _redis.Value).GetDatabase().ScriptEvaluateAsync(DeleteScript, [KeyOf(ticketId)], [version]);

    public async ValueTask DisposeAsync()
    {
        if (_redis.IsValueCreated) await (await _redis.Value).DisposeAsync();
    }
}

/// <summary>Tickets in this process only (no Redis configured: development and grain tests). Same compare-and-set rules.</summary>
public sealed class MemoryTicketStore(TicketClock clock) : ITicketStore
{
    private readonly ConcurrentDictionary<string, (TicketState Ticket, DateTimeOffset ForgetAt)> _tickets = new();

    public Task<TicketState?> ReadAsync(string ticketId) =>
        Task.FromResult(_tickets.TryGetValue(ticketId, out var kept) && kept.ForgetAt > clock.Now ? kept.Ticket : null);

    public Task<bool> WriteAsync(TicketState next, int expectedVersion, DateTimeOffset forgetAt)
    {
        var entry = (next, forgetAt);
        var written = expectedVersion == 0
            ? _tickets.TryAdd(next.TicketId, entry)
            : _tickets.TryGetValue(next.TicketId, out var kept) && kept.Ticket.Version == expectedVersion && _tickets.TryUpdate(next.TicketId, entry, kept);
        return Task.FromResult(written);
    }

    public Task DeleteAsync(string ticketId, int version)
    {
        if (_tickets.TryGetValue(ticketId, out var kept) && kept.Ticket.Version == version) _tickets.TryRemove(new(ticketId, kept));
        return Task.CompletedTask;
    }
}
