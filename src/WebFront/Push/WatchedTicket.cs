using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Push;

/// <summary>One watched ticket in one front end: the newest status seen and a task that completes at the next change.</summary>
internal sealed class WatchedTicket(string ticketId)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // The watch call in flight, if any; then what the last answered one established.
    private Task<Outcome<TicketSnapshot>>? _watch;
    private DateTimeOffset _pendingAt;
    private int _pendingEpoch;
    private bool _live;
    private DateTimeOffset _liveAt;
    private int _liveEpoch;
    private DateTimeOffset _lastUsed;
    private int _waiters;

    public string TicketId { get; } = ticketId;

    public TicketSnapshot? Latest { get; private set; }

    public Task Changed
    {
        get { lock (_gate) return _changed.Task; }
    }

    /// <summary>Keeps the newest status only: pushes and watch answers may arrive out of order, versions put them right.</summary>
    public void Apply(TicketSnapshot snapshot)
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            if (Latest is not null && snapshot.Version <= Latest.Version) return;
            var first = Latest is null;
            Latest = snapshot;
            if (first) return;
            fired = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        fired.TrySetResult();
    }

    /// <summary>
    /// Returns the watch call in flight, or null when the last watch the grain answered is younger than
    /// <paramref name="renewAfter"/> and from this <paramref name="epoch"/> (nothing to ask), or a fresh call.
    /// </summary>
    public Task<Outcome<TicketSnapshot>>? BeginWatch(DateTimeOffset now, int epoch, TimeSpan renewAfter, Func<Task<Outcome<TicketSnapshot>>> watch)
    {
        lock (_gate)
        {
            if (_watch is not null) return _watch;
            if (IsLive(now, renewAfter, epoch)) return null;
            (_pendingAt, _pendingEpoch) = (now, epoch);
            return _watch = watch();
        }
    }

    /// <summary>
    /// Records how a watch call ended (only the first of its awaiters counts). Only the outcome is kept, not the call's
    /// task: one waiting browser per ticket is the common case, and the task would stay referenced for as long as it waits.
    /// </summary>
    public void EndWatch(Task<Outcome<TicketSnapshot>> call, bool answered)
    {
        lock (_gate)
        {
            if (_watch != call) return;
            _watch = null;
            _live = answered;
            if (answered) (_liveAt, _liveEpoch) = (_pendingAt, _pendingEpoch);
        }
    }

    /// <summary>Stops trusting the current watch for reads; the next read or renewal asks the grain.</summary>
    public void Invalidate()
    {
        lock (_gate) _live = false;
    }

    /// <summary>
    /// The status as this host knows it, if that knowledge is fresh enough to answer a read without asking the grain:
    /// a watch that the grain answered, begun less than <paramref name="freshness"/> ago and in the current
    /// <paramref name="epoch"/> (it moves on when this host loses a silo, and with it maybe pushes), and a deadline
    /// that has not passed on this host's clock (the grain decides what a passed deadline means).
    /// </summary>
    public TicketSnapshot? Fresh(DateTimeOffset now, TimeSpan freshness, int epoch)
    {
        lock (_gate)
        {
            if (Latest is not { } latest || !IsLive(now, freshness, epoch)) return null;
            if (!latest.Status.IsTerminal() && latest.ExpiresAt is { } expires && now >= expires) return null;
            _lastUsed = now;
            return latest;
        }
    }

    // The watch was sent at _liveAt: the grain registered it no earlier, so its pushes cover at least since then.
    private bool IsLive(DateTimeOffset now, TimeSpan within, int epoch) => _live && _liveEpoch == epoch && now - _liveAt < within;

    public void Enter(DateTimeOffset now)
    {
        lock (_gate) { _waiters++; _lastUsed = now; }
    }

    public void Leave(DateTimeOffset now)
    {
        lock (_gate) { _waiters--; _lastUsed = now; }
    }

    public bool IsIdle(DateTimeOffset now, TimeSpan idleTimeout)
    {
        lock (_gate) return _waiters == 0 && now - _lastUsed >= idleTimeout;
    }

    public bool HasWaiters
    {
        get { lock (_gate) return _waiters > 0; }
    }

    /// <summary>True when nobody waits and nothing is known: an id that turned out not to exist.</summary>
    public bool IsEmpty
    {
        get { lock (_gate) return _waiters == 0 && Latest is null; }
    }
}
