using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// This host's one watcher of tickets. Waiting browsers (long-poll and SSE) wait on cheap local tasks here;
/// the host watches each ticket once, however many browsers wait on it, and the ticket grain pushes changes in.
/// No grain call and no thread is held per waiting request. Status reads are answered from the same pushed state
/// while the watch is known to be live (<see cref="FeedOptions.ReadFreshness"/>); otherwise by one status call that does not
/// watch (<see cref="ReadAsync"/>).
/// </summary>
public sealed class TicketFeed : ITicketWatcher, IDisposable
{
    private readonly ConcurrentDictionary<string, WatchedTicket> _tickets = new(StringComparer.Ordinal);
    private readonly IClusterClient _client;
    private readonly TicketReferences _grains;
    private readonly TimeProvider _time;
    private readonly FeedOptions _options;
    private readonly ITimer _sweeper;
    private readonly Lazy<ITicketWatcher> _reference;
    // Tickets with a plain (non-watching) status call in flight: a second reader meanwhile makes the ticket watched.
    private readonly ConcurrentDictionary<string, byte> _plainReads = new(StringComparer.Ordinal);
    // Moves on when this host loses a gateway (a silo, and with it maybe the watches and pushes of its tickets).
    private int _epoch;

    public TicketFeed(IClusterClient client, FeedClock clock, IOptions<FeedOptions> options)
    {
        _client = client;
        _grains = new TicketReferences(client);
        _time = clock.Time;
        _options = options.Value;
        // The runtime holds observers weakly: this singleton keeps itself alive for as long as the host runs.
        _reference = new Lazy<ITicketWatcher>(() => _client.CreateObjectReference<ITicketWatcher>(this));
        _sweeper = _time.CreateTimer(_ => Sweep(), null, _options.SweepInterval, _options.SweepInterval);
    }

    /// <summary>Tickets watched right now (for metrics and tests).</summary>
    public int WatchedCount => _tickets.Count;

    /// <summary>
    /// Returns the ticket's status as soon as its version passes <paramref name="afterVersion"/>, or the status
    /// unchanged when <paramref name="timeout"/> runs out.
    /// </summary>
    public async Task<Outcome<TicketSnapshot>> WaitAsync(string ticketId, int afterVersion, TimeSpan timeout, CancellationToken ct)
    {
        var ticket = Enter(ticketId);
        FrontEndMetrics.BrowserWaits();
        try
        {
            var watched = await EnsureWatchedAsync(ticket, force: false);
            if (!watched.Succeeded) return watched;

            var changed = ticket.Changed;
            if (ticket.Latest!.Version > afterVersion || ticket.Latest.Status.IsTerminal()) return ticket.Latest;
            try
            {
                await changed.WaitAsync(timeout, _time, ct);
                FrontEndMetrics.Heard(ticket.Latest, DateTimeOffset.UtcNow);
                return ticket.Latest;
            }
            catch (TimeoutException)
            {
                // A push can be lost if the ticket's activation went away. A lost silo is heard (OnGatewayLost) and
                // re-asked at once; otherwise the watch is renewed once it is RenewAfter old, which bounds what a
                // waiter can miss. Not at every timeout: with thousands of waiters (an SSE heartbeat every 15 s) that
                // would be a grain call per waiter per heartbeat.
                return await EnsureWatchedAsync(ticket, force: false);
            }
        }
        finally
        {
            ticket.Leave(_time.GetUtcNow());
            FrontEndMetrics.BrowserLeaves();
        }
    }

    /// <summary>
    /// A ticket's status for a plain read (GET /api/tickets/{id}, Authing's check). From memory while this host watches the
    /// ticket and the watch is known to be live (answered by the grain less than <see cref="FeedOptions.ReadFreshness"/> ago,
    /// no silo lost since, deadline not passed). Otherwise one <see cref="ITicketGrain.GetStatusAsync"/> call, which does not
    /// subscribe: a polling client makes no grain hold or push anything for this host. Only a ticket read by several clients
    /// at once here (a plain call for it still in flight), or one a browser waits on, is watched instead: one watch call then
    /// answers the reads of the next <see cref="FeedOptions.ReadFreshness"/> from memory, where a call per read would cost more.
    /// Every answer comes from a grain call sent after its read arrived, or from a live watch, so a read sees every move
    /// acknowledged before it, on any front end.
    /// </summary>
    public async Task<Outcome<TicketSnapshot>> ReadAsync(string ticketId)
    {
        var now = _time.GetUtcNow();
        _tickets.TryGetValue(ticketId, out var known);
        if (known?.Fresh(now, _options.ReadFreshness, Volatile.Read(ref _epoch)) is { } fresh)
        {
            FrontEndMetrics.ReadFromFeed();
            return fresh;
        }
        FrontEndMetrics.ReadFromGrain();
        if (known is { HasWaiters: true } || !_plainReads.TryAdd(ticketId, 0)) return await ReadWatchedAsync(ticketId);
        try
        {
            var outcome = await _grains.Of(ticketId).GetStatusAsync();
            // A waiter that came meanwhile hears what the read found.
            if (outcome.Value is { } snapshot) Observe(snapshot);
            return outcome;
        }
        finally
        {
            _plainReads.TryRemove(ticketId, out _);
        }
    }

    /// <summary>A read through the watch: one watch call (at most one in flight per ticket) that keeps the ticket watched.</summary>
    private async Task<Outcome<TicketSnapshot>> ReadWatchedAsync(string ticketId)
    {
        var ticket = Enter(ticketId);
        try
        {
            return await EnsureWatchedAsync(ticket, force: true);
        }
        finally
        {
            ticket.Leave(_time.GetUtcNow());
            // An unknown id leaves nothing behind.
            if (ticket.IsEmpty) _tickets.TryRemove(new KeyValuePair<string, WatchedTicket>(ticketId, ticket));
        }
    }

    /// <summary>
    /// A status this host learned from a phone action it served: its own readers see the move at once, without
    /// waiting for the grain's push (read your writes on one front end).
    /// </summary>
    public void Observe(TicketSnapshot snapshot)
    {
        if (_tickets.TryGetValue(snapshot.TicketId, out var ticket)) ticket.Apply(snapshot);
    }

    /// <summary>The ticket moved in a way this host saw no status of (an exchange): the next read asks the grain.</summary>
    public void Invalidate(string ticketId)
    {
        if (_tickets.TryGetValue(ticketId, out var ticket)) ticket.Invalidate();
    }

    /// <summary>
    /// This host lost a gateway: the silo behind it may have held watched tickets, whose watches and pushes died with
    /// it. Nothing in memory is trusted until renewed, and every ticket someone waits on is asked again now (which
    /// also re-activates it, deadline included, on a live silo), so a waiting browser hears a lost change at once.
    /// </summary>
    public void OnGatewayLost()
    {
        Interlocked.Increment(ref _epoch);
        foreach (var (_, ticket) in _tickets)
            if (ticket.HasWaiters) _ = RenewQuietlyAsync(ticket);
    }

    private async Task RenewQuietlyAsync(WatchedTicket ticket)
    {
        try
        {
            await EnsureWatchedAsync(ticket, force: true);
        }
        catch (Exception)
        {
            // The waiters renew on their own at their next bound.
        }
    }

    Task ITicketWatcher.OnTicketChangedAsync(TicketSnapshot snapshot)
    {
        Observe(snapshot);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Registers this host with the ticket grain, at most one call in flight per ticket, renewed before the grain forgets
    /// it; <paramref name="force"/> asks the grain even if the last watch is recent.
    /// </summary>
    private async Task<Outcome<TicketSnapshot>> EnsureWatchedAsync(WatchedTicket ticket, bool force)
    {
        var now = _time.GetUtcNow();
        var pending = ticket.BeginWatch(now, Volatile.Read(ref _epoch), force ? TimeSpan.Zero : _options.RenewAfter,
            () => _grains.Of(ticket.TicketId).WatchAsync(_reference.Value));
        if (pending is null) return ticket.Latest!;
        Outcome<TicketSnapshot> outcome;
        try
        {
            outcome = await pending;
        }
        catch
        {
            ticket.EndWatch(pending, answered: false);
            throw;
        }
        if (outcome.Value is { } snapshot) ticket.Apply(snapshot);
        ticket.EndWatch(pending, outcome.Succeeded);
        return outcome.Succeeded ? ticket.Latest! : outcome;
    }

    /// <summary>Counts a waiter in, making sure the sweeper did not drop the entry in between.</summary>
    private WatchedTicket Enter(string ticketId)
    {
        while (true)
        {
            var ticket = _tickets.GetOrAdd(ticketId, static id => new WatchedTicket(id));
            ticket.Enter(_time.GetUtcNow());
            if (_tickets.TryGetValue(ticketId, out var current) && current == ticket) return ticket;
            ticket.Leave(_time.GetUtcNow());
        }
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (id, ticket) in _tickets)
            if (ticket.IsIdle(now, _options.IdleTimeout)) _tickets.TryRemove(new KeyValuePair<string, WatchedTicket>(id, ticket));
    }

    public void Dispose() => _sweeper.Dispose();
}

/// <summary>Timings of the feed (section "ScanLogin:Feed").</summary>
public sealed class FeedOptions
{
    public const string Section = "ScanLogin:Feed";

    /// <summary>
    /// Renew a watch after this long; must be well under the grain's watch lifetime (2 minutes). Also the longest a
    /// waiting browser (long-poll or SSE) can miss a change whose push was lost while no silo was lost (a lost silo
    /// makes this host re-ask every waited ticket at once).
    /// </summary>
    public TimeSpan RenewAfter { get; set; } = TimeSpan.FromSeconds(50);

    /// <summary>Forget a ticket nobody has waited on for this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How stale a status read may be when a push is lost. A read is answered from this host's memory only while its
    /// watch on the ticket was answered by the grain less than this long ago (and no silo was lost since, and the
    /// ticket's deadline has not passed); otherwise the read asks the grain, which renews the watch. Pushes normally
    /// arrive within milliseconds; this bounds the case where one is lost (the ticket's silo died and the ticket came
    /// back elsewhere without this host's watch, or the grain forgot an unrenewed watch). Must stay well under the
    /// grain's watch lifetime (2 minutes).
    /// </summary>
    public TimeSpan ReadFreshness { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Long-polls and event streams one client address may hold open at once on one front end (see <see cref="OpenWaits"/>);
    /// one more is answered 429 <c>too_many_waits</c>. A login page holds one.
    /// </summary>
    public int MaxWaitsPerClientIp { get; set; } = 50;
}

/// <summary>The clock of the feed's bounds (read freshness, waits, sweeps); tests replace it to move them without sleeping.</summary>
public sealed class FeedClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
