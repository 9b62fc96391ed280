using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Push;

/// <summary>One watched ticket in one front end: the newest status seen and a task that completes at the next change.</summary>
internal sealed class WatchedTicket(string ticketId)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<Outcome<TicketSnapshot>>? _watch;
    private DateTimeOffset _watchedAt;
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
    public Task<Outcome<TicketSnapshot>> BeginWatch(DateTimeOffset now, TimeSpan renewAfter, Func<Task<Outcome<TicketSnapshot>>> watch)
    {
        lock (_gate)
        {
            if (_watch is not null && (!_watch.IsCompleted || now - _watchedAt < renewAfter)) return _watch;
            _watchedAt = now;
            return _watch = watch();
        }
    }

    /// <summary>Drops a failed watch so the next waiter tries again.</summary>
    public void ForgetWatch(Task<Outcome<TicketSnapshot>> failed)
    {
        lock (_gate) if (_watch == failed) _watch = null;
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
}
