using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// This host's one watcher of tickets. Waiting browsers (long-poll and SSE) wait on cheap local tasks here;
/// the host watches each ticket once, however many browsers wait on it, and the ticket grain pushes changes in.
/// No grain call and no thread is held per waiting request.
/// </summary>
public sealed class TicketFeed : ITicketWatcher, IDisposable
{
    private readonly ConcurrentDictionary<string, WatchedTicket> _tickets = new(StringComparer.Ordinal);
    private readonly IClusterClient _client;
    private readonly TimeProvider _time;
    private readonly FeedOptions _options;
    private readonly ITimer _sweeper;
    private readonly Lazy<ITicketWatcher> _reference;

    public TicketFeed(IClusterClient client, TimeProvider time, IOptions<FeedOptions> options)
    {
        _client = client;
        _time = time;
        _options = options.Value;
        // The runtime holds observers weakly: this singleton keeps itself alive for as long as the host runs.
        _reference = new Lazy<ITicketWatcher>(() => _client.CreateObjectReference<ITicketWatcher>(this));
        _sweeper = time.CreateTimer(_ => Sweep(), null, _options.SweepInterval, _options.SweepInterval);
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
                // A push can be lost if the ticket's silo died; at every bound ask the grain itself once.
                return await EnsureWatchedAsync(ticket, force: true);
            }
        }
        finally
        {
            ticket.Leave(_time.GetUtcNow());
            FrontEndMetrics.BrowserLeaves();
        }
    }

    Task ITicketWatcher.OnTicketChangedAsync(TicketSnapshot snapshot)
    {
        if (_tickets.TryGetValue(snapshot.TicketId, out var ticket)) ticket.Apply(snapshot);
        return Task.CompletedTask;
    }

    /// <summary>Registers this host with the ticket grain, at most one call in flight per ticket, renewed before the grain forgets it.</summary>
    private async Task<Outcome<TicketSnapshot>> EnsureWatchedAsync(WatchedTicket ticket, bool force)
    {
        var now = _time.GetUtcNow();
        var pending = ticket.BeginWatch(now, force ? TimeSpan.Zero : _options.RenewAfter,
            () => _client.GetGrain<ITicketGrain>(ticket.TicketId).WatchAsync(_reference.Value));
        Outcome<TicketSnapshot> outcome;
        try
        {
            outcome = await pending;
        }
        catch
        {
            ticket.ForgetWatch(pending);
            throw;
        }
        if (outcome.Value is { } snapshot) ticket.Apply(snapshot);
        else ticket.ForgetWatch(pending);
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

    /// <summary>Renew a watch after this long; must be well under the grain's watch lifetime (2 minutes).</summary>
    public TimeSpan RenewAfter { get; set; } = TimeSpan.FromSeconds(50);

    /// <summary>Forget a ticket nobody has waited on for this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);
}
