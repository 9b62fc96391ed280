using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Push;

/// <summary>One watched ticket in one front end: the newest status seen and a task that completes at the next change.</summary>
internal sealed class WatchedTicket(string ticketId)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<Outcome<TicketSnapshot>>? _watch;
    private DateTimeOffset _watchedAt;
    private int _watchEpoch;
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

    /// <summary>Returns the watch call in flight or a fresh one if the last is older than <paramref name="renewAfter"/>.</summary>
    public Task<Outcome<TicketSnapshot>> BeginWatch(DateTimeOffset now, int epoch, TimeSpan renewAfter, Func<Task<Outcome<TicketSnapshot>>> watch)
    {
        lock (_gate)
        {
            if (_watch is not null && (!_watch.IsCompleted || (now - _watchedAt < renewAfter && _watchEpoch == epoch))) return _watch;
            (_watchedAt, _watchEpoch) = (now, epoch);
            return _watch = watch();
        }
    }

    /// <summary>Drops a failed watch so the next waiter tries again.</summary>
    public void ForgetWatch(Task<Outcome<TicketSnapshot>> failed)
    {
        lock (_gate) if (_watch == failed) _watch = null;
    }

    /// <summary>Stops trusting the current watch for reads; waiters keep their own bounds.</summary>
    public void Invalidate()
    {
        lock (_gate) _watch = null;
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
            if (Latest is not { } latest || _watch is not { IsCompletedSuccessfully: true } watch || !watch.Result.Succeeded) return null;
            // The watch was sent at _watchedAt: the grain registered it no earlier, so its pushes cover at least since then.
            if (now - _watchedAt >= freshness || _watchEpoch != epoch) return null;
            if (!latest.Status.IsTerminal() && latest.ExpiresAt is { } expires && now >= expires) return null;
            _lastUsed = now;
            return latest;
        }
    }

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
