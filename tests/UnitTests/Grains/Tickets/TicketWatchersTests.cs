using Microsoft.Extensions.Logging.Abstractions;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The watchers of one ticket: renewed by watching again, dropped when lapsed or failing, never lost to an interleaved watch.</summary>
public sealed class TicketWatchersTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A watcher that records what it heard, or fails while <see cref="Failing"/>.</summary>
    private sealed class Watcher : ITicketWatcher
    {
        public readonly List<int> Heard = [];
        public bool Failing;
        public bool FailOnce;
        public Func<Task>? During;

        public async Task OnTicketChangedAsync(TicketSnapshot snapshot)
        {
            if (During is { } during) await during();
            if (Failing || FailOnce)
            {
                FailOnce = false;
                throw new TimeoutException("watcher gone");
            }
            Heard.Add(snapshot.Version);
        }
    }

    private static TicketSnapshot Version(int version) =>
        new("t", TicketStatus.Pending, version, null, null, null, null, "app");

    private static Task TellAsync(TicketWatchers watchers, int version, DateTimeOffset now) =>
        watchers.NotifyAsync(w => w.OnTicketChangedAsync(Version(version)), now, NullLogger.Instance);

    [Fact]
    public async Task Every_watcher_hears_each_change_and_watching_again_renews_instead_of_adding()
    {
        var watchers = new TicketWatchers(Lifetime);
        var (a, b, c) = (new Watcher(), new Watcher(), new Watcher());
        watchers.Watch(a, T0);
        watchers.Watch(b, T0);
        watchers.Watch(a, T0.AddSeconds(1));
        watchers.Watch(c, T0);
        Assert.Equal(3, watchers.Count);

        await TellAsync(watchers, 2, T0.AddSeconds(5));
        Assert.All(new[] { a, b, c }, w => Assert.Equal([2], w.Heard));
    }

    [Fact]
    public async Task A_watcher_that_lapsed_or_failed_is_dropped_and_the_others_keep_hearing()
    {
        var watchers = new TicketWatchers(Lifetime);
        var (first, lapsed, failing, last) = (new Watcher(), new Watcher(), new Watcher { Failing = true }, new Watcher());
        watchers.Watch(first, T0.AddMinutes(1));
        watchers.Watch(lapsed, T0);
        watchers.Watch(failing, T0.AddMinutes(1));
        watchers.Watch(last, T0.AddMinutes(1));

        await TellAsync(watchers, 2, T0.AddMinutes(2).AddSeconds(1));
        Assert.Equal(2, watchers.Count);
        Assert.Equal([2], first.Heard);
        Assert.Empty(lapsed.Heard);
        Assert.Equal([2], last.Heard);

        // The first one fails too: the one left moves up and still hears.
        first.Failing = true;
        await TellAsync(watchers, 3, T0.AddMinutes(2).AddSeconds(2));
        Assert.Equal(1, watchers.Count);
        await TellAsync(watchers, 4, T0.AddMinutes(2).AddSeconds(3));
        Assert.Equal([2, 3, 4], last.Heard);
        Assert.Equal([2], first.Heard);
    }

    [Fact]
    public async Task A_watch_that_arrives_during_a_notification_is_kept_even_if_that_notification_failed()
    {
        var watchers = new TicketWatchers(Lifetime);
        var failing = new Watcher { Failing = true };
        var renewed = new Watcher();
        var newcomer = new Watcher();
        // While the failing front end is being told, it watches again (a new reference), and another front end arrives.
        failing.During = () =>
        {
            failing.During = null;
            watchers.Watch(renewed, T0.AddSeconds(10));
            watchers.Watch(newcomer, T0.AddSeconds(10));
            return Task.CompletedTask;
        };
        watchers.Watch(failing, T0);
        // "renewed" stands for the same front end's new reference: equal by grain id in Orleans, a distinct object here.
        await TellAsync(watchers, 2, T0.AddSeconds(11));

        Assert.Equal(2, watchers.Count);
        await TellAsync(watchers, 3, T0.AddSeconds(12));
        // Both were watching by the time the loop reached them, so they heard version 2 as well.
        Assert.Equal([2, 3], renewed.Heard);
        Assert.Equal([2, 3], newcomer.Heard);

        watchers.Clear();
        Assert.Equal(0, watchers.Count);
    }

    [Fact]
    public async Task A_watcher_that_renews_while_its_notification_fails_stays_and_a_watcher_added_meanwhile_is_not_lost()
    {
        var watchers = new TicketWatchers(Lifetime);
        var (front, other, late) = (new Watcher { FailOnce = true }, new Watcher(), new Watcher());
        // The same front end (same reference) watches again while its notification is failing: it reconnected.
        front.During = () =>
        {
            front.During = null;
            watchers.Watch(front, T0.AddSeconds(10));
            return Task.CompletedTask;
        };
        // A third front end starts watching while the second is being told.
        other.During = () =>
        {
            other.During = null;
            watchers.Watch(late, T0.AddSeconds(10));
            return Task.CompletedTask;
        };
        watchers.Watch(front, T0);
        watchers.Watch(other, T0);

        await TellAsync(watchers, 2, T0.AddSeconds(11));
        Assert.Equal(3, watchers.Count);
        await TellAsync(watchers, 3, T0.AddSeconds(12));
        Assert.Equal([3], front.Heard);
        Assert.Equal([2, 3], other.Heard);
        Assert.Equal([3], late.Heard);
    }
}
