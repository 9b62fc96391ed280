using System.Collections.Concurrent;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// The strings every ticket of an application repeats (pool, application, identity source, their display names, the
/// page's origin, the browser's address and user agent), shared by all the tickets a silo holds in memory instead of a
/// copy per activation: a ticket read from the store brings fresh copies of each. Bounded: when full the table starts
/// over, so values nobody repeats (an attacker's user agents) cost at most the table, never an unbounded intern pool.
/// </summary>
public static class SharedTicketStrings
{
    private const int Capacity = 20_000;
    private static readonly ConcurrentDictionary<string, string> s_table = new(StringComparer.Ordinal);
    // Counted here, not with the table's Count, which takes every lock of the table: a new value is the common miss
    // (each browser's address), on every ticket activation.
    private static int s_added;

    public static string? Share(string? value)
    {
        if (value is null) return null;
        if (s_table.TryGetValue(value, out var shared)) return shared;
        if (Interlocked.Increment(ref s_added) > Capacity)
        {
            s_table.Clear();
            Interlocked.Exchange(ref s_added, 1);
        }
        return s_table.GetOrAdd(value, value);
    }

    /// <summary>The same ticket, its repeated strings replaced by the silo's shared copies.</summary>
    public static TicketState Shared(TicketState ticket) => ticket with
    {
        PoolId = Share(ticket.PoolId)!,
        AppId = Share(ticket.AppId)!,
        IdentitySource = Share(ticket.IdentitySource)!,
        AppName = Share(ticket.AppName)!,
        IdentitySourceName = Share(ticket.IdentitySourceName)!,
        Requester = new Requester(Share(ticket.Requester.IpAddress), Share(ticket.Requester.UserAgent), Share(ticket.Requester.Origin)),
    };
}
