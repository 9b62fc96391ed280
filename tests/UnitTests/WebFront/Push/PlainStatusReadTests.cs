using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Push;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// A plain status read (GET /api/tickets/{id}, Authing's check) does not subscribe: it is one status call that leaves no watch
/// in the front end's feed (and so none in the grain). A browser waiting on the ticket, or several clients reading it at once,
/// make the feed watch it, and reads then use the pushed state.
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
        using var feed = NewFeed(new FakeTimeProvider(DateTimeOffset.UtcNow));

        for (var i = 0; i < 5; i++)
            Assert.Equal(TicketStatus.Pending, (await feed.ReadAsync(ticket.GetPrimaryKeyString())).Value?.Status);
        // Each read was one status call: the feed keeps nothing, so the grain holds no watch and pushes nothing to this host.
        Assert.Equal(0, feed.WatchedCount);
    }

    [Fact]
    public async Task A_plain_read_after_a_move_served_by_another_front_end_sees_it()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var driver = new TicketDriver(fixture);
        var ticket = await driver.OpenAsync(appId);
        var id = ticket.GetPrimaryKeyString();
        using var feed = NewFeed(new FakeTimeProvider(DateTimeOffset.UtcNow));

        Assert.Equal(TicketStatus.Pending, (await feed.ReadAsync(id)).Value?.Status);
        // The scan goes to the grain behind this feed's back (another front end served the phone), on the same clock instant.
        await driver.ScanAsync(ticket, await fixture.Emulator.CreateUserAsync());
        Assert.Equal(TicketStatus.Scanned, (await feed.ReadAsync(id)).Value?.Status);
        Assert.Equal(0, feed.WatchedCount);
    }

    [Fact]
    public async Task A_ticket_read_by_many_at_once_is_watched_and_still_answers_moves_made_elsewhere()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var driver = new TicketDriver(fixture);
        var ticket = await driver.OpenAsync(appId);
        var id = ticket.GetPrimaryKeyString();
        using var feed = NewFeed(new FakeTimeProvider(DateTimeOffset.UtcNow));

        // Started in one loop: each runs to its grain call, so all 50 overlap the calls of the first ones.
        var reads = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => feed.ReadAsync(id)).ToArray())
            .WithinAsync(TimeSpan.FromSeconds(30), "50 concurrent plain reads of one ticket");
        Assert.All(reads, r => Assert.Equal(TicketStatus.Pending, r.Value?.Status));
        // Reads that overlapped a status call in flight watched the ticket: a call per read would cost more than the push.
        Assert.Equal(1, feed.WatchedCount);

        // The watch is live: a move served by another front end is pushed here, and reads answer it from memory.
        await driver.ScanAsync(ticket, await fixture.Emulator.CreateUserAsync());
        var pushed = await feed.WaitAsync(id, reads[0].Value!.Version, TimeSpan.FromMinutes(1), CancellationToken.None)
            .WithinAsync(TimeSpan.FromSeconds(30), "the scan pushed to the feed", async () => (await ticket.GetStatusAsync()).Value?.Status.ToString() ?? "none");
        Assert.Equal(TicketStatus.Scanned, pushed.Value?.Status);
        Assert.Equal(TicketStatus.Scanned, (await feed.ReadAsync(id)).Value?.Status);
        Assert.Equal(1, feed.WatchedCount);
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

        // A browser waits here: the read is answered from the watched, pushed state.
        Assert.Equal(TicketStatus.Scanned, (await feed.ReadAsync(id)).Value?.Status);
        Assert.Equal(1, feed.WatchedCount);
    }
}
