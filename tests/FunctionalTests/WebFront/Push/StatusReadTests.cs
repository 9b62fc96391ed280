using ScanLogin.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Orleans.Core.Internal;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Push;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// The whole system with the front ends' feed clock under the test's control, so the read-freshness bound can be
/// crossed without sleeping. Tickets run on <see cref="SystemFixture.Time"/>, the feeds on <see cref="FeedTime"/>.
/// </summary>
public sealed class FeedSystemFixture : IAsyncLifetime
{
    public FakeTimeProvider FeedTime { get; } = new(DateTimeOffset.UtcNow);

    public SystemFixture System { get; }

    public FeedSystemFixture() => System = new SystemFixture { FeedTime = FeedTime };

    public Task InitializeAsync() => System.InitializeAsync();

    public Task DisposeAsync() => System.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class FeedSystemCollection : ICollectionFixture<FeedSystemFixture>
{
    public const string Name = "system with a feed clock";
}

/// <summary>
/// Status reads are answered from the front end's pushed state while its watch is live, and never staler than
/// <see cref="FeedOptions.ReadFreshness"/> when a push is lost.
/// </summary>
[Collection(FeedSystemCollection.Name)]
public sealed class StatusReadTests(FeedSystemFixture fixture)
{
    private SystemFixture System => fixture.System;
    private static readonly TimeSpan Freshness = new FeedOptions().ReadFreshness;

    [Fact]
    public async Task A_read_on_the_front_end_that_served_the_phone_sees_each_move_at_once()
    {
        var tenant = await System.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(System.A, tenant);
        Assert.Equal(("pending", 1), await ReadAsync(System.A, created.TicketId)); // starts A's watch

        var scan = await Api.ScanOkAsync(System.A, created.TicketId, await System.Emulator.LoginCodeAsync(await System.Emulator.CreateUserAsync()));
        Assert.Equal(("scanned", 2), await ReadAsync(System.A, created.TicketId));
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(System.A, created.TicketId, scan.ScanToken)).StatusCode);
        var confirmed = await Api.StatusAsync(System.A, created.TicketId);
        Assert.Equal(("confirmed", 3), (confirmed.Status, confirmed.Version));

        // The exchange answers no status: the next read asks the grain instead of answering "confirmed" from memory.
        Assert.Equal(HttpStatusCode.OK, (await Api.ExchangeAsync(System.A, confirmed.ExchangeCode!, created.BrowserSecret)).StatusCode);
        Assert.Equal(("consumed", 4), await ReadAsync(System.A, created.TicketId));
    }

    [Fact]
    public async Task A_read_after_a_confirm_whose_push_was_lost_sees_it_once_the_freshness_bound_passes()
    {
        var tenant = await System.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(System.A, tenant);
        var scan = await Api.ScanOkAsync(System.B, created.TicketId, await System.Emulator.LoginCodeAsync(await System.Emulator.CreateUserAsync()));
        Assert.Equal(("scanned", 2), await ReadAsync(System.A, created.TicketId)); // A watches the ticket from here

        // The activation goes and with it A's watch, as when its silo dies, but no gateway is lost: nothing tells A.
        await System.Grains.GetGrain<ITicketGrain>(created.TicketId).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(System.B, created.TicketId, scan.ScanToken)).StatusCode);

        // Within the bound A may still answer what it knew (the push never came); at the bound it must ask again.
        Assert.Contains((await ReadAsync(System.A, created.TicketId)).Status, new[] { "scanned", "confirmed" });
        fixture.FeedTime.Advance(Freshness);
        Assert.Equal(("confirmed", 3), await ReadAsync(System.A, created.TicketId));
        // And the renewed watch brings the next move by push again.
        var waiting = System.A.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=3&timeout=60");
        var code = (await Api.StatusAsync(System.B, created.TicketId)).ExchangeCode!;
        Assert.Equal(HttpStatusCode.OK, (await Api.ExchangeAsync(System.B, code, created.BrowserSecret)).StatusCode);
        Assert.Equal("consumed", (await waiting.WithinAsync(TimeSpan.FromSeconds(30), "the long-poll on A hearing the exchange on B",
            () => Api.StatusNowAsync(System.B, created.TicketId)))!.Status);
        Assert.Equal(("consumed", 4), await ReadAsync(System.A, created.TicketId));
    }

    [Fact]
    public async Task A_read_of_a_pending_ticket_past_its_deadline_is_expired()
    {
        var tenant = await System.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(System.A, tenant);
        Assert.Equal(("pending", 1), await ReadAsync(System.B, created.TicketId));

        // Both clocks pass the deadline: whether or not B heard the expiry pushed yet, it does not answer "pending".
        System.Time.Advance(TimeSpan.FromSeconds(121));
        fixture.FeedTime.Advance(TimeSpan.FromSeconds(121));
        Assert.Equal(("expired", 2), await ReadAsync(System.B, created.TicketId));
    }

    [Fact]
    public async Task The_QR_image_is_cached_no_longer_than_the_ticket_lives_whatever_the_front_end_clock_says()
    {
        // The silos' clock runs ten minutes ahead of the front ends' (real) one.
        System.Time.Advance(TimeSpan.FromMinutes(10));
        var created = await Api.CreateTicketAsync(System.A, await System.CreateTenantAsync());
        var image = await System.A.GetAsync($"/api/tickets/{created.TicketId}/qr.png");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.InRange(image.Headers.CacheControl!.MaxAge!.Value.TotalSeconds, 1, 120);
    }

    [Fact]
    public async Task A_read_of_an_unknown_ticket_is_404_every_time()
    {
        var id = Secrets.NewId();
        for (var i = 0; i < 2; i++)
            await Api.ProblemAsync(await System.A.GetAsync($"/api/tickets/{id}"), HttpStatusCode.NotFound, "ticket_not_found");
    }

    private static async Task<(string Status, int Version)> ReadAsync(HttpClient http, string ticketId)
    {
        var view = await Api.StatusAsync(http, ticketId);
        return (view.Status, view.Version);
    }
}
