using System.Collections.Concurrent;
using ScanLogin.Grains;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.UnitTests;

/// <summary>The memory ticket store, except that writes of the tickets listed in <see cref="FailingWrites"/> throw, as a
/// store that is unreachable would, and those of <see cref="LostReplies"/> are stored and then throw.</summary>
public sealed class FailingTicketStore(ProductClock clock) : ITicketStore
{
    public static readonly ConcurrentDictionary<string, bool> FailingWrites = new();

    private readonly MemoryTicketStore _inner = new(clock);

    public Task<TicketState?> ReadAsync(string ticketId) => _inner.ReadAsync(ticketId);

    /// <summary>Tickets whose writes are stored but whose reply is lost, as when Redis restarts between the two.</summary>
    public static readonly ConcurrentDictionary<string, bool> LostReplies = new();

    public async Task<bool> WriteAsync(TicketState next, int expectedVersion, DateTimeOffset forgetAt)
    {
        if (FailingWrites.ContainsKey(next.TicketId)) throw new IOException($"The ticket store is unavailable (test) for {next.TicketId}.");
        var written = await _inner.WriteAsync(next, expectedVersion, forgetAt);
        return LostReplies.ContainsKey(next.TicketId) ? throw new IOException($"The store's reply was lost (test) for {next.TicketId}.") : written;
    }

    public Task DeleteAsync(string ticketId, int version) => _inner.DeleteAsync(ticketId, version);
}
