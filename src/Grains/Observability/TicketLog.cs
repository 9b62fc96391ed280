using Microsoft.Extensions.Logging;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Observability;

/// <summary>
/// One structured line per ticket move, with the ids an operator searches by (ticket, pool, application) and
/// nothing a client could use: no secrets, codes, tokens, openids or phone numbers.
/// </summary>
public static partial class TicketLog
{
    public static void Moved(ILogger logger, TicketState ticket)
    {
        if (ticket.Status is TicketStatus.Pending or TicketStatus.Scanned)
            Progressed(logger, ticket.TicketId, ticket.PoolId, ticket.AppId, TicketMetrics.EventOf(ticket.Status));
        else
            Finished(logger, ticket.TicketId, ticket.PoolId, ticket.AppId, TicketMetrics.EventOf(ticket.Status), ticket.Reason);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Ticket {TicketId} of pool {PoolId} application {AppId}: {Event}")]
    private static partial void Progressed(ILogger logger, string ticketId, string poolId, string appId, string @event);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Ticket {TicketId} of pool {PoolId} application {AppId}: {Event} {Reason}")]
    private static partial void Finished(ILogger logger, string ticketId, string poolId, string appId, string @event, string? reason);
}

/// <summary>
/// Puts the grain's id in the log scope of everything said during a call (a WeChat warning names its ticket).
/// Limiter grains are left out: their keys hold client addresses.
/// </summary>
public sealed class GrainLogScope(ILogger<GrainLogScope> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is RateLimits.RateLimitGrain || !logger.IsEnabled(LogLevel.Warning))
        {
            await context.Invoke();
            return;
        }
        using (logger.BeginScope(new GrainScope(context.TargetId)))
            await context.Invoke();
    }
}

/// <summary>
/// The scope's one field, named for structured logs ("GrainId"). Not a dictionary, and the id is written out only when
/// a line is logged: this runs on every grain call, and almost none logs anything.
/// </summary>
internal sealed class GrainScope(GrainId grainId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 1;
    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("GrainId", grainId.ToString()) : throw new ArgumentOutOfRangeException(nameof(index));
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() { yield return this[0]; }
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => $"GrainId:{grainId}";
}
