using ScanLogin.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The ticket desk: every rule of creation checked once, the ticket stored without a ticket-grain activation.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketDeskTests(GrainClusterFixture fixture)
{
    private const string BrowserSecret = "browser-secret-value";
    private const string SiteOrigin = "https://site.example";

    private ITicketDeskGrain Desk => fixture.Grains.GetGrain<ITicketDeskGrain>(0);
    private ITicketStore Store => ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services.GetRequiredService<ITicketStore>();

    private static TicketOpening FromPage(string appId, string origin = SiteOrigin, string source = "wechat") =>
        new(appId, source, new Requester("10.0.0.1", "test-agent", origin), Secrets.HashBrowserSecret(BrowserSecret));

    private static TicketOpening FromServer(string appId, AppCredentials? credentials, string source = "wechat") =>
        new(appId, source, new Requester("10.0.0.1", "test-agent", null), Secrets.HashBrowserSecret(BrowserSecret), credentials);

    /// <summary>A tenant whose application allows <see cref="SiteOrigin"/>.</summary>
    private async Task<(string PoolId, string AppId)> TenantAsync()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        await app.SaveAsync((await app.GetAsync())! with { AllowedOrigins = [SiteOrigin] }, null);
        return (poolId, appId);
    }

    private async Task<bool> IsActiveAsync(string ticketId)
    {
        var stats = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Any(s => s.GrainId.Key.ToString() == ticketId && s.GrainType.Contains("TicketGrain") && !s.GrainType.Contains("Desk"));
    }

    [Fact]
    public async Task Asking_for_an_id_nobody_created_leaves_no_activation_behind()
    {
        var guessed = Secrets.NewId();
        var grain = fixture.Grains.GetGrain<ITicketGrain>(guessed);

        Assert.Equal(FailureCodes.TicketNotFound, (await grain.GetStatusAsync()).Failure!.Code);
        // Deactivation runs once the call has returned: poll the cluster for it (bounded), the way the other tests here wait.
        for (var i = 0; i < 500 && await IsActiveAsync(guessed); i++) await Task.Delay(10);
        Assert.False(await IsActiveAsync(guessed));
    }

    [Fact]
    public async Task A_page_on_an_allowed_origin_gets_a_stored_pending_ticket_and_no_ticket_grain_is_activated()
    {
        var (poolId, appId) = await TenantAsync();
        var opened = await Desk.OpenAsync(FromPage(appId));

        var ticket = opened.Value!.Ticket;
        Assert.Equal((TicketStatus.Pending, 1, appId), (ticket.Status, ticket.Version, ticket.AppId));
        Assert.Equal(IdentitySourceSettings.DefaultTicketLifetime, opened.Value.Lifetime);
        Assert.True(Secrets.IsWellFormedId(ticket.TicketId));
        var stored = (await Store.ReadAsync(ticket.TicketId))!;
        Assert.Equal((poolId, "Test app", "WeChat", SiteOrigin), (stored.PoolId, stored.AppName, stored.IdentitySourceName, stored.Requester.Origin));
        Assert.Equal(Secrets.HashBrowserSecret(BrowserSecret), stored.BrowserSecretHash);
        Assert.False(await IsActiveAsync(ticket.TicketId));

        // The grain activates at its first need and answers from the store.
        Assert.Equal(TicketStatus.Pending, (await fixture.Grains.GetGrain<ITicketGrain>(ticket.TicketId).GetStatusAsync()).Value!.Status);
        Assert.True(await IsActiveAsync(ticket.TicketId));
    }

    [Fact]
    public async Task An_identity_source_that_is_missing_disabled_or_not_the_applications_is_refused_and_admin_changes_count_at_once()
    {
        var (poolId, appId) = await TenantAsync();
        Assert.Equal(FailureCodes.IdentitySourceNotFound, (await Desk.OpenAsync(FromPage(appId, source: "nope"))).Failure!.Code);

        var other = await fixture.AddApplicationAsync(poolId, "other-secret");
        Assert.Equal(FailureCodes.IdentitySourceNotEnabledForApp,
            (await Desk.OpenAsync(FromServer(other, new AppCredentials(other, "other-secret")))).Failure!.Code);

        // Served from the silo's cache a moment ago; the admin change is forgotten there before it is answered.
        Assert.True((await Desk.OpenAsync(FromPage(appId))).Succeeded);
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        var settings = (await source.GetAsync())!;
        await source.SaveAsync(settings with { Enabled = false }, null);
        Assert.Equal(FailureCodes.IdentitySourceDisabled, (await Desk.OpenAsync(FromPage(appId))).Failure!.Code);
        await source.SaveAsync(settings with { ApplicationIds = [appId, other] }, null);
        Assert.True((await Desk.OpenAsync(FromServer(other, new AppCredentials(other, "other-secret")))).Succeeded);

        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        await app.SaveAsync((await app.GetAsync())! with { AllowedOrigins = ["https://moved.example"] }, null);
        Assert.Equal(FailureCodes.OriginNotAllowed, (await Desk.OpenAsync(FromPage(appId))).Failure!.Code);
    }

    [Fact]
    public async Task A_deleted_application_opens_no_more_tickets_and_a_shared_source_has_no_code_pool()
    {
        var (poolId, appId) = await TenantAsync();
        // A source that is not privately deployed has no code pool: its tickets' ids cost WeChat nothing.
        var stats = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        Assert.DoesNotContain(stats, s => s.GrainType.Contains("MiniProgramCodePool") && s.GrainId.Key.ToString()!.StartsWith(poolId));

        // The desk knew the application a moment ago; deleting it is heard by the desk at once.
        Assert.True((await Desk.OpenAsync(FromPage(appId))).Succeeded);
        await fixture.Grains.GetGrain<IApplicationGrain>(appId).DeleteAsync(null, Actor.Platform);
        Assert.Equal(FailureCodes.ApplicationNotFound, (await Desk.OpenAsync(FromPage(appId))).Failure!.Code);
    }

    [Fact]
    public async Task Openings_in_one_call_are_answered_in_order_each_by_its_own_rules_and_stored_together()
    {
        var (_, appId) = await TenantAsync();
        var (_, otherApp) = await TenantAsync();

        var answers = await Desk.OpenManyAsync(
        [
            FromPage(appId), FromPage(appId, "https://evil.example"), FromPage(otherApp), FromServer(appId, null),
            FromPage("app-none-" + Guid.NewGuid().ToString("N")[..6]), FromPage(appId),
        ]);

        Assert.Equal([null, FailureCodes.OriginNotAllowed, null, FailureCodes.AppCredentialsInvalid, FailureCodes.ApplicationNotFound, null],
            answers.Select(a => a.Failure?.Code));
        var opened = answers.Where(a => a.Succeeded).Select(a => a.Value!.Ticket).ToArray();
        Assert.Equal([appId, otherApp, appId], opened.Select(t => t.AppId));
        Assert.Equal(3, opened.Select(t => t.TicketId).Distinct().Count());
        foreach (var ticket in opened)
        {
            var stored = (await Store.ReadAsync(ticket.TicketId))!;
            Assert.Equal((TicketStatus.Pending, ticket.AppId), (stored.Status, stored.AppId));
            Assert.False(await IsActiveAsync(ticket.TicketId));
        }
        Assert.Empty(await Desk.OpenManyAsync([]));
    }

    [Fact]
    public async Task A_taken_id_is_refused_without_touching_the_stored_ticket()
    {
        var (_, appId) = await TenantAsync();
        var first = (await Desk.OpenAsync(FromPage(appId))).Value!.Ticket;

        var again = await GrainClusterFixture.Desk.OpenAsync(FromPage(appId) with { BrowserSecretHash = Secrets.HashBrowserSecret("attacker") }, first.TicketId);
        Assert.Equal(FailureCodes.TicketExists, again.Failure!.Code);
        Assert.Equal(Secrets.HashBrowserSecret(BrowserSecret), (await Store.ReadAsync(first.TicketId))!.BrowserSecretHash);
    }

    [Fact]
    public async Task A_read_of_an_id_before_it_is_created_does_not_hide_the_ticket_created_after_it()
    {
        var (_, appId) = await TenantAsync();
        var id = Secrets.NewId();
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(id);
        Assert.Equal(FailureCodes.TicketNotFound, (await ticket.GetStatusAsync()).Failure!.Code);

        Assert.True((await GrainClusterFixture.Desk.OpenAsync(FromPage(appId), id)).Succeeded);
        Assert.Equal(TicketStatus.Pending, (await ticket.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task A_ticket_from_the_desk_is_watched_scanned_confirmed_and_exchanged_through_its_grain()
    {
        var (poolId, appId) = await TenantAsync();
        var opened = (await Desk.OpenAsync(FromPage(appId))).Value!.Ticket;
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(opened.TicketId);
        var watcher = new Watcher();
        Assert.Equal(TicketStatus.Pending, (await ticket.WatchAsync(fixture.Grains.CreateObjectReference<ITicketWatcher>(watcher))).Value!.Status);

        var openId = await fixture.Emulator.CreateUserAsync(phone: null);
        var scan = await ticket.ScanAsync(new ScanRequest(await fixture.Emulator.LoginCodeAsync(openId), "Mei", null));
        Assert.Equal((TicketStatus.Scanned, "Test app", "10.0.0.1"), (scan.Value!.Ticket.Status, scan.Value.AppName, scan.Value.Requester.IpAddress));
        var confirmed = (await ticket.ConfirmAsync(new ConfirmRequest(scan.Value.ScanToken, null))).Value!;
        Assert.Equal((TicketStatus.Confirmed, 3), (confirmed.Status, confirmed.Version));
        var heard = await watcher.Confirmed.Task.WithinAsync(TimeSpan.FromSeconds(10), "the confirm pushed to the watcher",
            async () => $"the grain's status: {(await ticket.GetStatusAsync()).Value?.Status}");
        Assert.Equal(confirmed.ExchangeCode, heard.ExchangeCode);

        var grant = await ticket.ExchangeAsync(new ExchangeRequest(confirmed.ExchangeCode!, BrowserSecret, null, null));
        Assert.Equal(poolId, grant.Value!.User.PoolId);
        Assert.Equal(TicketStatus.Consumed, (await ticket.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task A_pending_ticket_nobody_looked_at_reads_as_expired_after_its_deadline()
    {
        var (_, appId) = await TenantAsync();
        var opened = (await Desk.OpenAsync(FromPage(appId))).Value!.Ticket;
        fixture.Time.Advance(IdentitySourceSettings.DefaultTicketLifetime + TimeSpan.FromSeconds(1));

        var ticket = fixture.Grains.GetGrain<ITicketGrain>(opened.TicketId);
        Assert.Equal(TicketStatus.Expired, (await ticket.GetStatusAsync()).Value!.Status);
        // The reader's activation applies the clock and stores the move once (the expired count is taken there).
        for (var i = 0; i < 500 && (await Store.ReadAsync(opened.TicketId))?.Status != TicketStatus.Expired; i++) await Task.Delay(10);
        Assert.Equal((TicketStatus.Expired, 2), ((await Store.ReadAsync(opened.TicketId))!.Status, (await Store.ReadAsync(opened.TicketId))!.Version));
    }

    [Fact]
    public async Task A_private_source_takes_its_ids_from_the_code_pool_which_answers_while_a_refill_hangs_on_WeChat()
    {
        var miniProgram = "wx" + Guid.NewGuid().ToString("N")[..16];
        await fixture.Emulator.RegisterMiniProgramAsync(miniProgram, "private-secret");
        var (poolId, appId) = await TenantAsync();
        var key = IdentitySourceSettings.KeyOf(poolId, "wechat");
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(key);
        await source.SaveAsync((await source.GetAsync())! with { PrivateDeployment = true, MiniProgramAppId = miniProgram }, "private-secret");

        var pool = fixture.Grains.GetGrain<IMiniProgramCodePoolGrain>(key);
        await pool.CountReadyAsync(); // activates the pool, which starts filling itself
        for (var i = 0; i < 300 && await pool.CountReadyAsync() == 0; i++) await Task.Delay(10);
        Assert.True(await pool.CountReadyAsync() > 0, "the pool did not fill");

        // WeChat stops answering: the pool's next refill hangs inside its call.
        await fixture.Emulator.HoldAsync(miniProgram);
        try
        {
            for (var i = 0; i < 500 && await fixture.Emulator.HeldAsync(miniProgram) == 0; i++) await Task.Delay(10);
            Assert.Equal(1, await fixture.Emulator.HeldAsync(miniProgram));

            var opened = await Desk.OpenAsync(FromPage(appId)).WithinAsync(TimeSpan.FromSeconds(5), "a ticket from the code pool while WeChat hangs",
                async () => $"codes ready: {await pool.CountReadyAsync()}, calls held by WeChat: {await fixture.Emulator.HeldAsync(miniProgram)}");
            var ticketId = opened.Value!.Ticket.TicketId;
            // WeChat made this code with scene = ticket id before it stopped answering.
            Assert.Contains(ticketId, await fixture.Emulator.ScenesAsync(miniProgram));
            Assert.True(await fixture.Emulator.HeldAsync(miniProgram) >= 1, "the refill was not stuck while the id was handed out");
            Assert.True(Secrets.IsWellFormedId(await pool.TakeAsync().WithinAsync(TimeSpan.FromSeconds(5), "a code from the pool while its refill hangs",
                async () => $"codes ready: {await pool.CountReadyAsync()}")));
        }
        finally
        {
            await fixture.Emulator.ReleaseAsync(miniProgram);
        }
    }

    private sealed class Watcher : ITicketWatcher
    {
        public TaskCompletionSource<TicketSnapshot> Confirmed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task OnTicketChangedAsync(TicketSnapshot snapshot)
        {
            if (snapshot.Status == TicketStatus.Confirmed) Confirmed.TrySetResult(snapshot);
            return Task.CompletedTask;
        }
    }
}

/// <summary>The front end's way to the desk: openings that arrive while calls are out leave together, each answered with its own ticket.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketDeskClientTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Openings_queued_behind_a_call_in_flight_each_get_their_own_ticket()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ScanLogin:Tickets:CreationCallsInFlight"] = "1" }).Build();
        var client = new ScanLogin.WebFront.Apis.TicketDeskClient(fixture.Cluster.Client, configuration);
        var secrets = Enumerable.Range(0, 60).Select(i => $"browser-{i}").ToArray();

        var answers = await Task.WhenAll(secrets.Select(secret => client.OpenAsync(new TicketOpening(appId, "wechat",
            new Requester("10.0.0.1", "agent", null), Secrets.HashBrowserSecret(secret), new AppCredentials(appId, secret == "browser-7" ? "wrong" : "app-secret")))));

        var store = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services.GetRequiredService<ITicketStore>();
        for (var i = 0; i < secrets.Length; i++)
        {
            if (i == 7)
            {
                Assert.Equal(FailureCodes.AppCredentialsInvalid, answers[i].Failure!.Code);
                continue;
            }
            var stored = (await store.ReadAsync(answers[i].Value!.Ticket.TicketId))!;
            Assert.Equal(Secrets.HashBrowserSecret(secrets[i]), stored.BrowserSecretHash);
        }
        Assert.Equal(59, answers.Where(a => a.Succeeded).Select(a => a.Value!.Ticket.TicketId).Distinct().Count());
    }
}
