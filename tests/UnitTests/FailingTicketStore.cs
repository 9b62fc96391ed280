using System.Collections.Concurrent;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.UnitTests;

/// <summary>The memory ticket store, except that writes of the tickets listed in <see cref="FailingWrites"/> throw, as a
/// store that is unreachable would.</summary>
public sealed class FailingTicketStore(TicketClock clock) : ITicketStore
{
    public static readonly ConcurrentDictionary<string, bool> FailingWrites = new();

    private readonly MemoryTicketStore _inner = new(clock);

    public Task<TicketState?> ReadAsync(string ticketId) => _inner.ReadAsync(ticketId);

    public Task<bool> WriteAsync(TicketState next, int expectedVersion, DateTimeOffset forgetAt) =>
        FailingWrites.ContainsKey(next.TicketId)
            ? throw new IOException($"The ticket store is unavailable (test) for {next.TicketId}.")
            : _inner.WriteAsync(next, expectedVersion, forgetAt);

    public Task DeleteAsync(string ticketId, int version) => _inner.DeleteAsync(ticketId, version);
}
