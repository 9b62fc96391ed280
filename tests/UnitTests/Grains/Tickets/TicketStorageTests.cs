using ScanLogin.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The ticket grain against its store: memory follows storage, opening needs no read, deadlines push by themselves.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketStorageTests(GrainClusterFixture fixture)
{
    private const string BrowserSecret = "browser-secret-value";

    // Origin-less, so as the application's backend with its secret.
    private static TicketOpening Opening(string appId) =>
        new(appId, "wechat", new Requester("10.0.0.1", "test-agent", null), Secrets.HashBrowserSecret(BrowserSecret), new AppCredentials(appId, "app-secret"));

    /// <summary>A ticket of a fresh tenant, opened and scanned by a new WeChat user (version 2 stored).</summary>
    private async Task<(string Id, ITicketGrain Ticket, string ScanToken)> ScannedTicketAsync()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var id = Secrets.NewId();
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(id);
        Assert.True((await ticket.OpenAsync(Opening(appId))).Succeeded);
        var scan = await ticket.ScanAsync(new ScanRequest(await fixture.Emulator.LoginCodeAsync(await fixture.Emulator.CreateUserAsync(phone: null)), null, null));
        return (id, ticket, scan.Value!.ScanToken);
    }

    private IServiceProvider SiloServices => ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost!.Services;

    [Fact]
    public async Task A_move_whose_write_fails_leaves_the_ticket_as_stored_and_can_be_retried()
    {
        var (id, ticket, scanToken) = await ScannedTicketAsync();

        FailingTicketStore.FailingWrites[id] = true;
        try
        {
            await Assert.ThrowsAsync<IOException>(() => ticket.ConfirmAsync(new ConfirmRequest(scanToken, null)));
            // Neither the activation nor the store claims a confirmation that was never stored.
            var status = (await ticket.GetStatusAsync()).Value!;
            Assert.Equal((TicketStatus.Scanned, 2, null), (status.Status, status.Version, status.ExchangeCode));
            Assert.Equal(2, (await SiloServices.GetRequiredService<ITicketStore>().ReadAsync(id))!.Version);
        }
        finally
        {
            FailingTicketStore.FailingWrites.TryRemove(id, out _);
        }

        var confirmed = await ticket.ConfirmAsync(new ConfirmRequest(scanToken, null));
        Assert.Equal((TicketStatus.Confirmed, 3), (confirmed.Value!.Status, confirmed.Value.Version));
        Assert.Equal(3, (await SiloServices.GetRequiredService<ITicketStore>().ReadAsync(id))!.Version);
    }

    [Fact]
    public async Task A_move_stored_whose_reply_was_lost_is_found_by_the_retry_and_never_answered_as_a_server_error()
    {
        var (id, ticket, scanToken) = await ScannedTicketAsync();
        var store = SiloServices.GetRequiredService<ITicketStore>();

        FailingTicketStore.LostReplies[id] = true;
        try
        {
            await Assert.ThrowsAsync<IOException>(() => ticket.ConfirmAsync(new ConfirmRequest(scanToken, null)));
        }
        finally
        {
            FailingTicketStore.LostReplies.TryRemove(id, out _);
        }
        var stored = (await store.ReadAsync(id))!;
        Assert.Equal((TicketStatus.Confirmed, 3), (stored.Status, stored.Version));

        // The activation still holds version 2: its next move cannot be written over version 3. That is a retryable
        // storage answer (503 at a front end), and the activation reads the store again for the retry.
        var refused = await Assert.ThrowsAsync<StorageUnavailableException>(() => ticket.ConfirmAsync(new ConfirmRequest(scanToken, null)));
        Assert.Contains(id, refused.Message);
        var retried = await ticket.ConfirmAsync(new ConfirmRequest(scanToken, null));
        Assert.Equal((TicketStatus.Confirmed, 3, stored.ExchangeCode), (retried.Value!.Status, retried.Value.Version, retried.Value.ExchangeCode));
        Assert.Equal(3, (await store.ReadAsync(id))!.Version);
    }

    [Fact]
    public async Task Opening_a_failed_write_stores_nothing_and_the_id_can_be_opened_again()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var id = Secrets.NewId();
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(id);
        FailingTicketStore.FailingWrites[id] = true;
        try
        {
            await Assert.ThrowsAsync<IOException>(() => ticket.OpenAsync(Opening(appId)));
            Assert.Equal(FailureCodes.TicketNotFound, (await ticket.GetStatusAsync()).Failure!.Code);
        }
        finally
        {
            FailingTicketStore.FailingWrites.TryRemove(id, out _);
        }
        Assert.Equal(TicketStatus.Pending, (await ticket.OpenAsync(Opening(appId))).Value!.Status);
    }

    [Fact]
    public async Task Opening_an_id_that_is_already_stored_fails_although_this_activation_never_read_it()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var id = Secrets.NewId();
        var stored = new TicketState { TicketId = id, Status = TicketStatus.Pending, Version = 1, AppId = appId, ConfirmBy = fixture.Time.GetUtcNow().AddMinutes(2) };
        Assert.True(await SiloServices.GetRequiredService<ITicketStore>().WriteAsync(stored, 0, fixture.Time.GetUtcNow().AddMinutes(4)));

        var opened = await fixture.Grains.GetGrain<ITicketGrain>(id).OpenAsync(Opening(appId));
        Assert.Equal(FailureCodes.TicketExists, opened.Failure!.Code);
        // The stored ticket is untouched, and the activation now answers from it.
        Assert.Equal(1, (await SiloServices.GetRequiredService<ITicketStore>().ReadAsync(id))!.Version);
        Assert.Equal(TicketStatus.Pending, (await fixture.Grains.GetGrain<ITicketGrain>(id).GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task The_silo_wide_deadline_queue_expires_a_watched_ticket_without_anyone_reading_it()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.True((await ticket.OpenAsync(Opening(appId))).Succeeded);
        var watcher = new Watcher();
        var reference = fixture.Grains.CreateObjectReference<ITicketWatcher>(watcher);
        Assert.Equal(TicketStatus.Pending, (await ticket.WatchAsync(reference)).Value!.Status);
        var deadlines = SiloServices.GetRequiredService<TicketDeadlines>();
        Assert.True(deadlines.Count >= 1);

        fixture.Time.Advance(IdentitySourceSettings.DefaultTicketLifetime);
        var pushed = await watcher.Expired.Task.WithinAsync(TimeSpan.FromSeconds(10), "the expiry pushed to the watcher",
            async () => $"the grain's status: {(await ticket.GetStatusAsync()).Value?.Status}, deadlines queued: {deadlines.Count}");
        Assert.Equal((TicketStatus.Expired, 2), (pushed.Status, pushed.Version));
    }

    [Fact]
    public async Task A_finished_ticket_found_at_the_end_of_its_retention_is_erased_at_its_first_touch_and_answers_not_found()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var store = SiloServices.GetRequiredService<ITicketStore>();
        var now = fixture.Time.GetUtcNow();
        // Finished exactly one retention (120 s) ago and never touched since; the store still holds it (its keys may
        // outlive the retention, e.g. written while the retention was longer).
        TicketState Finished() => new()
        {
            TicketId = Secrets.NewId(), Status = TicketStatus.Expired, Version = 2, PoolId = poolId, AppId = appId, IdentitySource = "wechat",
            CreatedAt = now.AddSeconds(-240), ConfirmBy = now.AddSeconds(-120), FinishedAt = now.AddSeconds(-120),
        };
        var read = Finished();
        var touched = Finished();
        Assert.True(await store.WriteAsync(read, 0, now.AddHours(1)));
        Assert.True(await store.WriteAsync(touched, 0, now.AddHours(1)));

        // A late poller hears nothing any more, and the grain erases the ticket from the store by itself.
        Assert.Equal(FailureCodes.TicketNotFound, (await fixture.Grains.GetGrain<ITicketGrain>(read.TicketId).GetStatusAsync()).Failure?.Code);
        for (var i = 0; i < 500 && await store.ReadAsync(read.TicketId) is not null; i++) await Task.Delay(10);
        Assert.Null(await store.ReadAsync(read.TicketId));

        // A phone action on it finds no ticket: the erasure happens before the move is tried.
        Assert.Equal(FailureCodes.TicketNotFound, (await fixture.Grains.GetGrain<ITicketGrain>(touched.TicketId).CancelAsync("any-token")).Failure?.Code);
        Assert.Null(await store.ReadAsync(touched.TicketId));
        Assert.Equal(FailureCodes.TicketNotFound, (await fixture.Grains.GetGrain<ITicketGrain>(touched.TicketId).GetStatusAsync()).Failure?.Code);
    }

    [Fact]
    public async Task A_ticket_moved_in_storage_behind_its_activation_is_read_again_and_never_overwritten()
    {
        var (id, ticket, scanToken) = await ScannedTicketAsync();

        // Another activation (a fail-over) applied the phone's cancel meanwhile: version 3 is stored, this activation holds 2.
        var store = SiloServices.GetRequiredService<ITicketStore>();
        var scanned = (await store.ReadAsync(id))!;
        var cancelled = scanned with { Status = TicketStatus.Cancelled, Version = 3, FinishedAt = fixture.Time.GetUtcNow() };
        Assert.True(await store.WriteAsync(cancelled, 2, fixture.Time.GetUtcNow().AddMinutes(2)));

        // A retryable refusal (503 at a front end), not a server error.
        await Assert.ThrowsAsync<StorageUnavailableException>(() => ticket.ConfirmAsync(new ConfirmRequest(scanToken, null)));
        Assert.Equal(TicketStatus.Cancelled, (await store.ReadAsync(id))!.Status);
        // The activation forgot what it held and answers from the store again.
        var status = (await ticket.GetStatusAsync()).Value!;
        Assert.Equal((TicketStatus.Cancelled, 3, null), (status.Status, status.Version, status.ExchangeCode));
        Assert.Equal(status, (await ticket.CancelAsync(scanToken)).Value);
    }

    [Fact]
    public async Task A_finished_ticket_nobody_asks_about_is_erased_and_its_activation_freed_when_its_retention_ends()
    {
        var (_, ticket, scanToken) = await ScannedTicketAsync();
        var code = (await ticket.ConfirmAsync(new ConfirmRequest(scanToken, null))).Value!.ExchangeCode!;
        // Exchanged at once: the retention (120 s) ends long before the exchange window (300 s) would have.
        Assert.True((await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, null))).Succeeded);
        Assert.True(await IsActiveAsync(ticket.GetPrimaryKeyString()));

        fixture.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.True(await IsActiveAsync(ticket.GetPrimaryKeyString()));
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        // The silo's deadline queue erases it without anyone reading it; the deactivation follows the call.
        for (var i = 0; i < 500 && await IsActiveAsync(ticket.GetPrimaryKeyString()); i++) await Task.Delay(10);
        Assert.False(await IsActiveAsync(ticket.GetPrimaryKeyString()));
        Assert.Equal(FailureCodes.TicketNotFound, (await ticket.GetStatusAsync()).Failure?.Code);
    }

    private async Task<bool> IsActiveAsync(string ticketId)
    {
        var stats = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Any(s => s.GrainId.Key.ToString() == ticketId && s.GrainType.Contains("TicketGrain") && !s.GrainType.Contains("Desk"));
    }

    private sealed class Watcher : ITicketWatcher
    {
        public TaskCompletionSource<TicketSnapshot> Expired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task OnTicketChangedAsync(TicketSnapshot snapshot)
        {
            if (snapshot.Status == TicketStatus.Expired) Expired.TrySetResult(snapshot);
            return Task.CompletedTask;
        }
    }
}
