using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Push;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// A plain status read (GET /api/tickets/{id}, Authing's check) does not subscribe: it is one status call that leaves no watch
/// in the front end's feed and none in the grain; only a waiting browser makes the feed watch, and reads then use its pushed state.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class PlainStatusReadTests(GrainClusterFixture fixture)
{
    private static readonly FeedOptions Options = new();

    private TicketFeed NewFeed(FakeTimeProvider clock) =>
        new(fixture.Cluster.Client, new FeedClock(clock), Microsoft.Extensions.Options.Options.Create(Options));

    [Fact]
    public async Task Plain_status_reads_leave_no_watch_behind()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await new TicketDriver(fixture).OpenAsync(appId);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var feed = NewFeed(clock);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(TicketStatus.Pending, (await feed.ReadAsync(ticket.GetPrimaryKeyString())).Value?.Status);
            clock.Advance(Options.ReadSharing); // each read past the last one's window: a grain call of its own
        }
        // Before, each read was a watch call: the feed kept the ticket and the grain pushed to it for two minutes.
        Assert.Equal(0, feed.WatchedCount);
    }

    [Fact]
    public async Task Reads_of_one_ticket_within_the_sharing_window_share_one_answer_and_the_next_window_asks_again()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var driver = new TicketDriver(fixture);
        var ticket = await driver.OpenAsync(appId);
        var id = ticket.GetPrimaryKeyString();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var feed = NewFeed(clock);

        Assert.Equal(TicketStatus.Pending, (await feed.ReadAsync(id)).Value?.Status);
        await driver.ScanAsync(ticket, await fixture.Emulator.CreateUserAsync());
        // The scan went to the grain behind this feed's back (another front end served the phone), and nobody is told.
        clock.Advance(Options.ReadSharing - TimeSpan.FromMilliseconds(1));
        Assert.Equal(TicketStatus.Pending, (await feed.ReadAsync(id)).Value?.Status);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TicketStatus.Scanned, (await feed.ReadAsync(id)).Value?.Status);
        Assert.Equal(0, feed.WatchedCount);
    }

    [Fact]
    public async Task A_read_while_a_browser_waits_on_the_same_front_end_answers_from_the_pushed_state()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var driver = new TicketDriver(fixture);
        var ticket = await driver.OpenAsync(appId);
        var id = ticket.GetPrimaryKeyString();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var feed = NewFeed(clock);
        using var stop = new CancellationTokenSource();

        var waiting = feed.WaitAsync(id, 1, TimeSpan.FromMinutes(1), stop.Token);
        await driver.ScanAsync(ticket, await fixture.Emulator.CreateUserAsync());
        var heard = await waiting.WithinAsync(TimeSpan.FromSeconds(30), "the waiting browser hearing the scan by push",
            async () => (await ticket.GetStatusAsync()).Value?.Status.ToString() ?? "none");
        Assert.Equal(TicketStatus.Scanned, heard.Value?.Status);

        // Within the sharing window of no plain read: the answer can only be the watched, pushed state.
        Assert.Equal(TicketStatus.Scanned, (await feed.ReadAsync(id)).Value?.Status);
        Assert.Equal(1, feed.WatchedCount);
        Assert.Equal(0, feed.SharedReadCount);
    }
}
