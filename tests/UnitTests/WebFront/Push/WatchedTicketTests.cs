using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Push;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The front end's record of one watched ticket: newest status wins, waiters wake once per change, one watch call at a time.</summary>
public sealed class WatchedTicketTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static TicketSnapshot At(int version, TicketStatus status = TicketStatus.Pending) => new("t", status, version, null, null, null, null);

    [Fact]
    public void Pushes_and_watch_answers_out_of_order_keep_the_newest_status()
    {
        var ticket = new WatchedTicket("t");
        ticket.Apply(At(1));
        var changed = ticket.Changed;
        ticket.Apply(At(3, TicketStatus.Confirmed));
        ticket.Apply(At(2, TicketStatus.Scanned)); // a late answer must not go back in time
        Assert.Equal(3, ticket.Latest!.Version);
        Assert.True(changed.IsCompleted);
    }

    [Fact]
    public void Waiters_wake_on_a_newer_version_only()
    {
        var ticket = new WatchedTicket("t");
        ticket.Apply(At(1));
        var changed = ticket.Changed;
        ticket.Apply(At(1));
        Assert.False(changed.IsCompleted);
        ticket.Apply(At(2, TicketStatus.Scanned));
        Assert.True(changed.IsCompleted);
        Assert.False(ticket.Changed.IsCompleted); // a fresh task for the next change
    }

    [Fact]
    public async Task Concurrent_waiters_share_one_watch_call_until_it_is_due_for_renewal()
    {
        var ticket = new WatchedTicket("t");
        var calls = 0;
        var answer = new TaskCompletionSource<Outcome<TicketSnapshot>>();
        Task<Outcome<TicketSnapshot>> Watch() { calls++; return answer.Task; }

        var first = ticket.BeginWatch(T0, 0, TimeSpan.FromSeconds(50), Watch)!;
        var second = ticket.BeginWatch(T0, 0, TimeSpan.FromSeconds(50), Watch);
        Assert.Same(first, second);
        answer.SetResult(At(1));
        ticket.Apply((await first).Value!);
        ticket.EndWatch(first, answered: true);
        Assert.Null(ticket.BeginWatch(T0.AddSeconds(49), 0, TimeSpan.FromSeconds(50), Watch)); // live: nothing to ask
        Assert.Equal(1, calls);

        answer = new TaskCompletionSource<Outcome<TicketSnapshot>>();
        Assert.NotNull(ticket.BeginWatch(T0.AddSeconds(50), 0, TimeSpan.FromSeconds(50), Watch));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_read_trusts_memory_only_within_the_freshness_the_epoch_and_the_deadline()
    {
        var ticket = new WatchedTicket("t");
        var freshness = TimeSpan.FromSeconds(5);
        Assert.Null(ticket.Fresh(T0, freshness, 0)); // nothing known yet

        var pending = new TicketSnapshot("t", TicketStatus.Pending, 1, T0.AddSeconds(120), null, null, null);
        var call = ticket.BeginWatch(T0, 0, TimeSpan.Zero, () => Task.FromResult<Outcome<TicketSnapshot>>(pending))!;
        ticket.Apply((await call).Value!);
        Assert.Null(ticket.Fresh(T0, freshness, 0)); // answered, but not recorded as ended yet
        ticket.EndWatch(call, answered: true);

        Assert.Same(pending, ticket.Fresh(T0.AddSeconds(4.9), freshness, 0));
        Assert.Null(ticket.Fresh(T0.AddSeconds(5), freshness, 0)); // at the bound: ask the grain
        Assert.Null(ticket.Fresh(T0.AddSeconds(1), freshness, 1)); // a silo was lost since the watch
        ticket.Invalidate();
        Assert.Null(ticket.Fresh(T0.AddSeconds(1), freshness, 0)); // moved by an exchange this host saw no status of

        // Past its deadline on this host's clock a live ticket is the grain's to answer, however fresh the watch.
        var late = ticket.BeginWatch(T0.AddSeconds(119), 0, TimeSpan.Zero, () => Task.FromResult<Outcome<TicketSnapshot>>(pending))!;
        await late;
        ticket.EndWatch(late, answered: true);
        Assert.Same(pending, ticket.Fresh(T0.AddSeconds(119.5), freshness, 0));
        Assert.Null(ticket.Fresh(T0.AddSeconds(120), freshness, 0));
    }

    [Fact]
    public void A_failed_watch_is_not_trusted_and_the_next_caller_asks_again()
    {
        var ticket = new WatchedTicket("t");
        ticket.Apply(At(1));
        var failed = ticket.BeginWatch(T0, 0, TimeSpan.FromSeconds(50), () => Task.FromResult<Outcome<TicketSnapshot>>(new Failure("x", "y")))!;
        ticket.EndWatch(failed, answered: false);
        Assert.Null(ticket.Fresh(T0, TimeSpan.FromSeconds(5), 0));
        Assert.NotNull(ticket.BeginWatch(T0, 0, TimeSpan.FromSeconds(50), () => Task.FromResult<Outcome<TicketSnapshot>>(At(1))));
    }

    [Fact]
    public void A_ticket_is_idle_only_without_waiters_for_the_whole_timeout()
    {
        var ticket = new WatchedTicket("t");
        ticket.Enter(T0);
        Assert.False(ticket.IsIdle(T0.AddMinutes(5), TimeSpan.FromSeconds(30)));
        ticket.Leave(T0.AddSeconds(10));
        Assert.False(ticket.IsIdle(T0.AddSeconds(39), TimeSpan.FromSeconds(30)));
        Assert.True(ticket.IsIdle(T0.AddSeconds(40), TimeSpan.FromSeconds(30)));
    }
}
