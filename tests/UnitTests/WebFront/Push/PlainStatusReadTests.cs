using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Push;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// A plain status read (GET /api/tickets/{id}, Authing's check) answers from the pushed state while a browser's watch on the
/// same front end is fresh.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class PlainStatusReadTests(GrainClusterFixture fixture)
{
    private static readonly FeedOptions Options = new();

    private TicketFeed NewFeed(FakeTimeProvider clock) =>
        new(fixture.Cluster.Client, new FeedClock(clock), Microsoft.Extensions.Options.Options.Create(Options));

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
