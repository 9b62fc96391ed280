using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// One deadline queue per silo instead of a .NET timer per live ticket: each ticket grain registers its next deadline
/// here, and a single timer (on the ticket clock) wakes at the earliest one and calls the due grains. A million live
/// tickets cost a dictionary entry and a queue entry each (about 50 bytes), not a timer object with its callback state.
/// </summary>
public sealed class TicketDeadlines(ProductClock clock, IGrainFactory grains, ILogger<TicketDeadlines> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _due = new(StringComparer.Ordinal);
    // May hold stale entries (a ticket re-armed or cancelled since): they are skipped when they come up.
    private readonly PriorityQueue<string, long> _queue = new();
    private ITimer? _timer;
    private long _timerDue = long.MaxValue;

    /// <summary>Live deadlines registered (for tests and measurements).</summary>
    public int Count { get { lock (_gate) return _due.Count; } }

    /// <summary>Calls the ticket's <see cref="ITicketGrain.OnDeadlineAsync"/> at <paramref name="at"/>, replacing any earlier registration.</summary>
    public void Arm(string ticketId, DateTimeOffset at)
    {
        var due = at.UtcTicks;
        lock (_gate)
        {
            if (_due.TryGetValue(ticketId, out var current) && current == due) return;
            _due[ticketId] = due;
            _queue.Enqueue(ticketId, due);
            if (due < _timerDue) ScheduleLocked(due);
        }
    }

    public void Cancel(string ticketId)
    {
        lock (_gate) _due.Remove(ticketId);
    }

    private void ScheduleLocked(long due)
    {
        _timerDue = due;
        var delay = TimeSpan.FromTicks(Math.Max(0, due - clock.Now.UtcTicks));
        // The callback only queues the work, so a timer that fires at once (a fake clock) never runs inside this lock.
        if (_timer is null) _timer = clock.Time.CreateTimer(static s => ThreadPool.UnsafeQueueUserWorkItem(static d => ((TicketDeadlines)d!).Fire(), s), this, delay, Timeout.InfiniteTimeSpan);
        else _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        List<string>? dueNow = null;
        lock (_gate)
        {
            var now = clock.Now.UtcTicks;
            while (_queue.TryPeek(out var id, out var due) && due <= now)
            {
                _queue.Dequeue();
                if (_due.TryGetValue(id, out var current) && current == due)
                {
                    _due.Remove(id);
                    (dueNow ??= []).Add(id);
                }
            }
            // Drop stale entries at the head so the timer does not wake for them.
            while (_queue.TryPeek(out var id, out var due) && !(_due.TryGetValue(id, out var current) && current == due)) _queue.Dequeue();
            _timerDue = long.MaxValue;
            if (_queue.TryPeek(out _, out var next)) ScheduleLocked(next);
            if (_queue.Count == 0) _queue.TrimExcess();
        }
        if (dueNow is null) return;
        foreach (var id in dueNow) _ = CallAsync(id);
    }

    private async Task CallAsync(string ticketId)
    {
        try
        {
            await grains.GetGrain<ITicketGrain>(ticketId).OnDeadlineAsync();
        }
        catch (Exception e)
        {
            // The ticket's next reader applies the clock anyway; this only delays the push to watching browsers.
            logger.LogWarning(e, "Deadline of ticket {TicketId} could not be applied", ticketId);
        }
    }

    public void Dispose() => _timer?.Dispose();
}
