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
        }
        // Before, each read was a watch call: the feed kept the ticket and the grain pushed to it for two minutes.
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
    public async Task Concurrent_plain_reads_of_one_ticket_all_answer_and_leave_no_watch()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await new TicketDriver(fixture).OpenAsync(appId);
        var id = ticket.GetPrimaryKeyString();
        using var feed = NewFeed(new FakeTimeProvider(DateTimeOffset.UtcNow));

        var reads = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => feed.ReadAsync(id))))
            .WithinAsync(TimeSpan.FromSeconds(30), "50 concurrent plain reads of one ticket");
        Assert.All(reads, r => Assert.Equal(TicketStatus.Pending, r.Value?.Status));
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

        // A browser waits here: the read is answered from the watched, pushed state, with no status call.
        Assert.Equal(TicketStatus.Scanned, (await feed.ReadAsync(id)).Value?.Status);
        Assert.Equal(1, feed.WatchedCount);
        Assert.Equal(0, feed.SharedReadCount);
    }
}
