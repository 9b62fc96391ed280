using System.Diagnostics.Metrics;

namespace ScanLogin.Grains.Observability;

/// <summary>
/// What the silos count (meter "ScanLogin.Tickets"): each ticket move by what it became. Static because a move is
/// counted where it is committed, in the ticket grain, and the meter is the same for every grain of the process.
/// </summary>
public static class TicketMetrics
{
    public const string MeterName = "ScanLogin.Tickets";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Moves = Meter.CreateCounter<long>("scanlogin.tickets", "{ticket}",
        "Ticket moves by event: created, scanned, confirmed, cancelled, rejected, expired, exchanged");

    public static void Moved(TicketStatus status) => Moves.Add(1, new KeyValuePair<string, object?>("event", EventOf(status)));

    public static string EventOf(TicketStatus status) => status switch
    {
        TicketStatus.Pending => "created",
        TicketStatus.Consumed => "exchanged",
        _ => status.ToString().ToLowerInvariant(),
    };
}
