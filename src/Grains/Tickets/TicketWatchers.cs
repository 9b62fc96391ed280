using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// The front ends watching one ticket, each until <c>lifetime</c> after it last asked (wall clock): what Orleans'
/// ObserverManager does, in the shape a ticket needs. Almost every ticket is watched by one front end (the one its page waits on), so
/// the first watcher is two fields; a list exists only when a second front end watches. A watcher whose call fails, or
/// who has not asked again within the lifetime, is dropped. Belongs to one activation, whose watch calls may interleave with a notification.
/// </summary>
public sealed class TicketWatchers(TimeSpan lifetime)
{
    private ITicketWatcher? _first;
    private DateTimeOffset _firstSeen;
    private List<(ITicketWatcher Watcher, DateTimeOffset Seen)>? _more;

    public int Count => (_first is null ? 0 : 1) + (_more?.Count ?? 0);

    /// <summary>Adds the watcher, or renews it when it watches already (references compare by the watcher's grain id).</summary>
    public void Watch(ITicketWatcher watcher, DateTimeOffset now)
    {
        if (_first is null || Equals(_first, watcher))
        {
            (_first, _firstSeen) = (watcher, now);
            return;
        }
        _more ??= [];
        var at = _more.FindIndex(w => Equals(w.Watcher, watcher));
        if (at >= 0) _more[at] = (watcher, now);
        else _more.Add((watcher, now));
    }

    /// <summary>Tells every live watcher, one after the other; drops the lapsed and those whose call failed.</summary>
    public async Task NotifyAsync(Func<ITicketWatcher, Task> tell, DateTimeOffset now, ILogger logger)
    {
        List<(ITicketWatcher Watcher, DateTimeOffset Seen)>? dropped = null;
        if (_first is { } first && _firstSeen is var firstSeen && !await TellAsync(first, firstSeen)) (dropped ??= []).Add((first, firstSeen));
        if (_more is not null)
            foreach (var (watcher, seen) in _more.ToArray())
                if (!await TellAsync(watcher, seen)) (dropped ??= []).Add((watcher, seen));
        if (dropped is null) return;
        // Watch calls interleave with the notifications: drop only the entries nobody renewed meanwhile.
        foreach (var (watcher, seen) in dropped)
        {
            if (ReferenceEquals(_first, watcher) && _firstSeen == seen) _first = null;
            else _more?.RemoveAll(w => ReferenceEquals(w.Watcher, watcher) && w.Seen == seen);
        }
        // Keep the usual single watcher in the fields.
        if (_first is null && _more is { Count: > 0 })
        {
            (_first, _firstSeen) = _more[0];
            _more.RemoveAt(0);
        }
        if (_more is { Count: 0 }) _more = null;

        async Task<bool> TellAsync(ITicketWatcher watcher, DateTimeOffset seen)
        {
            if (seen + lifetime < now) return false;
            try
            {
                await tell(watcher);
                return true;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Dropping a ticket watcher whose notification failed");
                return false;
            }
        }
    }

    public void Clear() => (_first, _more) = (null, null);
}
