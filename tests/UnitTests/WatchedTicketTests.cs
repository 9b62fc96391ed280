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

        var first = ticket.BeginWatch(T0, TimeSpan.FromSeconds(50), Watch);
        var second = ticket.BeginWatch(T0, TimeSpan.FromSeconds(50), Watch);
        Assert.Same(first, second);
        answer.SetResult(At(1));
        await first;
        Assert.Same(first, ticket.BeginWatch(T0.AddSeconds(49), TimeSpan.FromSeconds(50), Watch));
        Assert.Equal(1, calls);

        answer = new TaskCompletionSource<Outcome<TicketSnapshot>>();
        Assert.NotSame(first, ticket.BeginWatch(T0.AddSeconds(50), TimeSpan.FromSeconds(50), Watch));
        Assert.Equal(2, calls);
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
