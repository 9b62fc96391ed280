using System.Buffers;
using System.Buffers.Binary;
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

    /// <summary>Stores each new ticket unless its id is taken (then false at its place), each forgotten at its own time.</summary>
    async Task<bool[]> CreateAsync(IReadOnlyList<(TicketState Ticket, DateTimeOffset ForgetAt)> tickets) =>
        await Task.WhenAll(tickets.Select(t => WriteAsync(t.Ticket, 0, t.ForgetAt)));
}

/// <summary>
/// Tickets in Redis: one string per ticket, its version (4 bytes, big-endian) followed by the Orleans-serialized state,
/// whose key expires when the ticket is of no more interest (its deadline plus the retention), so nothing dead is left
/// behind even if no silo is there to erase it. A new ticket is one plain <c>SET NX PXAT</c>, what a hand-written back end
/// pays per ticket; a move is a script comparing the stored version, read with <c>GETRANGE</c> and never copied whole.
/// </summary>
public sealed class RedisTicketStore(string connectionString, string serviceId, Serializer<TicketState> serializer) : ITicketStore, IAsyncDisposable
{
    internal const int VersionBytes = 4;
    /// <summary>Compare-and-set of a versioned string (KEYS[1]; ARGV: expected version bytes, new value, PXAT), shared with the hosted-login store.</summary>
    internal const string WriteScript = """
        if redis.call('GETRANGE', KEYS[1], 0, 3) == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
          return 1
        end
        return 0
        """;
    private const string DeleteScript = """
        if redis.call('GETRANGE', KEYS[1], 0, 3) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private readonly Lazy<Task<ConnectionMultiplexer>> _redis = new(() => ConnectAsync(connectionString));

    internal static Task<ConnectionMultiplexer> ConnectAsync(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.SocketManager = SocketManager.ThreadPool;
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Whether the connection to Redis is up (false before the first use).</summary>
    public bool IsConnected => _redis.IsValueCreated && _redis.Value.IsCompletedSuccessfully && _redis.Value.Result.IsConnected;

    /// <summary>"tickets", not the hash-per-ticket layout's "ticket": a silo of either layout never meets a key of the other's type.</summary>
    public RedisKey KeyOf(string ticketId) => $"{serviceId}/tickets/{ticketId}";

    public async Task<TicketState?> ReadAsync(string ticketId)
    {
        byte[]? stored = await (await _redis.Value).GetDatabase().StringGetAsync(KeyOf(ticketId));
        return stored is null ? null : serializer.Deserialize(new ReadOnlyMemory<byte>(stored, VersionBytes, stored.Length - VersionBytes));
    }

    public async Task<bool> WriteAsync(TicketState next, int expectedVersion, DateTimeOffset forgetAt)
    {
        var db = (await _redis.Value).GetDatabase();
        var value = Encode(next);
        var forgetAtMs = forgetAt.ToUnixTimeMilliseconds();
        if (expectedVersion == 0)
            return !(await db.ExecuteAsync("SET", KeyOf(next.TicketId), value, "NX", "PXAT", forgetAtMs)).IsNull;
        var written = await db.ScriptEvaluateAsync(WriteScript, [KeyOf(next.TicketId)], [VersionOf(expectedVersion), value, forgetAtMs]);
        return (long)written == 1;
    }

    /// <summary>One <c>SET NX PXAT</c> per ticket, sent together as one batch: one write to the socket for the lot.</summary>
    public async Task<bool[]> CreateAsync(IReadOnlyList<(TicketState Ticket, DateTimeOffset ForgetAt)> tickets)
    {
        var redis = await _redis.Value;
        // A batch is refused at once while the connection is down, where single commands wait in the client's backlog
        // for the reconnect: during a Redis restart, creations then take a moment longer instead of failing.
        IDatabaseAsync target = redis.IsConnected ? redis.GetDatabase().CreateBatch() : redis.GetDatabase();
        var sets = new Task<RedisResult>[tickets.Count];
        for (var i = 0; i < sets.Length; i++)
            sets[i] = target.ExecuteAsync("SET", KeyOf(tickets[i].Ticket.TicketId), Encode(tickets[i].Ticket), "NX", "PXAT", tickets[i].ForgetAt.ToUnixTimeMilliseconds());
        (target as IBatch)?.Execute();
        var created = new bool[sets.Length];
        for (var i = 0; i < sets.Length; i++) created[i] = !(await sets[i]).IsNull;
        return created;
    }

    public async Task DeleteAsync(string ticketId, int version) =>
        await (await _redis.Value).GetDatabase().ScriptEvaluateAsync(DeleteScript, [KeyOf(ticketId)], [VersionOf(version)]);

    /// <summary>The version a stored value starts with (tests and tools that look at Redis directly).</summary>
    public static int StoredVersion(byte[] stored) => BinaryPrimitives.ReadInt32BigEndian(stored);

    private ReadOnlyMemory<byte> Encode(TicketState ticket)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(VersionBytes), ticket.Version);
        writer.Advance(VersionBytes);
        serializer.Serialize(ticket, writer);
        return writer.WrittenMemory;
    }

    internal static byte[] VersionOf(int version)
    {
        var bytes = new byte[VersionBytes];
        BinaryPrimitives.WriteInt32BigEndian(bytes, version);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis.IsValueCreated) await (await _redis.Value).DisposeAsync();
    }
}

/// <summary>Tickets in this process only (no Redis configured: development and grain tests). Same compare-and-set rules.</summary>
public sealed class MemoryTicketStore(ProductClock clock) : ITicketStore
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
