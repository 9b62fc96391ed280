using System.Collections.Concurrent;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// Plain status reads of tickets no browser waits on here: <see cref="ITicketGrain.GetStatusAsync"/>, which does not watch,
/// so a polling client never makes the grain hold and push to this host. A cold read is one call. Reads of one ticket that
/// arrive while a call for it is in flight wait for the one call sent after it, which answers all of them: every answer
/// comes from a call sent after its read arrived (a move acknowledged anywhere before the read is in it), and a flood of
/// reads of one ticket costs the grain at most one call per round trip.
/// </summary>
internal sealed class SharedStatusReads
{
    private readonly ConcurrentDictionary<string, TicketReads> _reads = new(StringComparer.Ordinal);

    /// <summary>Tickets with a status call in flight (for tests).</summary>
    public int Count => _reads.Count;

    public async Task<Outcome<TicketSnapshot>> ReadAsync(string ticketId, IClusterClient client)
    {
        while (true)
        {
            var reads = _reads.GetOrAdd(ticketId, static _ => new TicketReads());
            TaskCompletionSource<Outcome<TicketSnapshot>>? later;
            lock (reads.Gate)
            {
                if (reads.Gone) continue;
                if (reads.Busy) later = reads.Next ??= new(TaskCreationOptions.RunContinuationsAsynchronously);
                else (reads.Busy, later) = (true, null);
            }
            if (later is not null)
            {
                FrontEndMetrics.ReadFromFeed();
                return await later.Task;
            }
            FrontEndMetrics.ReadFromGrain();
            try
            {
                return await client.GetGrain<ITicketGrain>(ticketId).GetStatusAsync();
            }
            finally
            {
                _ = AnswerWaitingAsync(ticketId, reads, client);
            }
        }
    }

    /// <summary>Sends one call for the reads that arrived during the last one, until none wait; then forgets the ticket.</summary>
    private async Task AnswerWaitingAsync(string ticketId, TicketReads reads, IClusterClient client)
    {
        while (true)
        {
            TaskCompletionSource<Outcome<TicketSnapshot>>? waiting;
            lock (reads.Gate)
            {
                (waiting, reads.Next) = (reads.Next, null);
                if (waiting is null)
                {
                    (reads.Busy, reads.Gone) = (false, true);
                    _reads.TryRemove(new KeyValuePair<string, TicketReads>(ticketId, reads));
                    return;
                }
            }
            try
            {
                waiting.TrySetResult(await client.GetGrain<ITicketGrain>(ticketId).GetStatusAsync());
            }
            catch (Exception e)
            {
                waiting.TrySetException(e);
            }
        }
    }

    private sealed class TicketReads
    {
        public readonly Lock Gate = new();
        // A call is in flight; Next collects the reads that arrived since, for the call after it.
        public bool Busy;
        public bool Gone;
        public TaskCompletionSource<Outcome<TicketSnapshot>>? Next;
    }
}
