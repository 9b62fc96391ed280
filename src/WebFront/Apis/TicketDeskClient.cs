using System.Diagnostics;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// This front end's way to the silos' ticket desk. Up to <see cref="InFlight"/> creation calls travel at once; openings
/// that arrive while they are all out wait and leave together, as one call, when the first comes back. An idle front end
/// sends each opening at once (no added latency); a busy one sends one grain message per batch instead of one per ticket.
/// </summary>
public sealed class TicketDeskClient(IClusterClient cluster, IConfiguration configuration)
{
    private const int MaxBatch = 256;

    /// <summary>Calls in flight before openings start to queue ("ScanLogin:Tickets:CreationCallsInFlight", default 2).</summary>
    public int InFlight { get; } = Math.Max(1, configuration.GetValue("ScanLogin:Tickets:CreationCallsInFlight", 2));

    private readonly Lock _gate = new();
    private List<Queued> _queue = [];
    private int _inFlight;

    // One reference for the process: resolving it costs a type lookup per call (a stateless worker: any silo serves it).
    private ITicketDeskGrain Desk => field ??= cluster.GetGrain<ITicketDeskGrain>(0);

    public Task<Outcome<OpenedTicket>> OpenAsync(TicketOpening opening)
    {
        lock (_gate)
        {
            if (_inFlight >= InFlight)
            {
                var queued = new Queued(opening, new(TaskCreationOptions.RunContinuationsAsynchronously));
                _queue.Add(queued);
                return queued.Answer.Task;
            }
            _inFlight++;
        }
        return SendOneAsync(opening);
    }

    private async Task<Outcome<OpenedTicket>> SendOneAsync(TicketOpening opening)
    {
        FrontEndMetrics.CreationCallSent(1);
        try
        {
            return await Desk.OpenAsync(opening);
        }
        finally
        {
            SendQueued();
        }
    }

    /// <summary>A call came back: its slot carries whatever queued meanwhile, or is freed.</summary>
    private void SendQueued()
    {
        List<Queued> batch;
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                _inFlight--;
                return;
            }
            if (_queue.Count <= MaxBatch) (batch, _queue) = (_queue, []);
            else
            {
                batch = _queue[..MaxBatch];
                _queue.RemoveRange(0, MaxBatch);
            }
        }
        // A batch belongs to none of its requests' traces: it would otherwise join the trace of whichever call came back.
        var trace = Activity.Current;
        Activity.Current = null;
        try
        {
            _ = SendBatchAsync(batch);
        }
        finally
        {
            Activity.Current = trace;
        }
    }

    private async Task SendBatchAsync(List<Queued> batch)
    {
        FrontEndMetrics.CreationCallSent(batch.Count);
        try
        {
            var answers = await Desk.OpenManyAsync([.. batch.Select(q => q.Opening)]);
            for (var i = 0; i < batch.Count; i++) batch[i].Answer.TrySetResult(answers[i]);
        }
        catch (Exception e)
        {
            foreach (var queued in batch) queued.Answer.TrySetException(e);
        }
        finally
        {
            SendQueued();
        }
    }

    private sealed record Queued(TicketOpening Opening, TaskCompletionSource<Outcome<OpenedTicket>> Answer);
}
