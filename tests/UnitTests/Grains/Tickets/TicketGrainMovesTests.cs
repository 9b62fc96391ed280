using ScanLogin.Tests.Shared;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// The ticket grain's moves after creation, as the phone and the watching front ends see them: cancel and its retry,
/// what a scan may store about the scanner, and which changes are pushed to watchers.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketGrainMovesTests(GrainClusterFixture fixture)
{
    private readonly TicketDriver _driver = new(fixture);

    private async Task<ITicketGrain> OpenAsync() => await _driver.OpenAsync((await fixture.CreateTenantAsync()).AppId);

    [Fact]
    public async Task The_scanner_may_cancel_and_a_retried_cancel_gets_the_same_answer_but_nobody_else_can_cancel()
    {
        var ticket = await OpenAsync();
        Assert.Equal(FailureCodes.InvalidTransition, (await ticket.CancelAsync("before-any-scan")).Failure?.Code);
        var token = await _driver.ScanAsync(ticket, await fixture.Emulator.CreateUserAsync(phone: null));

        Assert.Equal(FailureCodes.ScanTokenInvalid, (await ticket.CancelAsync(token + "x")).Failure?.Code);
        Assert.Equal(TicketStatus.Scanned, (await ticket.GetStatusAsync()).Value!.Status);

        var cancelled = (await ticket.CancelAsync(token)).Value!;
        Assert.Equal((TicketStatus.Cancelled, 3), (cancelled.Status, cancelled.Version));
        Assert.Equal(cancelled, (await ticket.CancelAsync(token)).Value);
        Assert.Equal(FailureCodes.InvalidTransition, (await ticket.CancelAsync("guess")).Failure?.Code);
        // A cancelled login cannot be confirmed by its own scanner afterwards.
        Assert.Equal(FailureCodes.InvalidTransition, (await ticket.ConfirmAsync(new ConfirmRequest(token, null))).Failure?.Code);
        Assert.Equal((TicketStatus.Cancelled, 3), ((await ticket.GetStatusAsync()).Value!.Status, (await ticket.GetStatusAsync()).Value!.Version));

        var missing = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.CancelAsync(token)).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.ScanAsync(new ScanRequest("code", null, null))).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.ConfirmAsync(new ConfirmRequest(token, null))).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.ExchangeAsync(new ExchangeRequest("code", "secret", null, null))).Failure?.Code);
    }

    [Theory]
    [InlineData(64, 1024)]
    [InlineData(65, 1025)]
    [InlineData(300, 5000)]
    public async Task A_scan_keeps_at_most_64_characters_of_nickname_and_1024_of_avatar_url(int nicknameLength, int avatarLength)
    {
        var ticket = await OpenAsync();
        var nickname = string.Concat(Enumerable.Range(0, nicknameLength).Select(i => (char)('a' + i % 26)));
        var avatar = "https://a.example/" + new string('p', avatarLength - 18);
        var scan = await ticket.ScanAsync(new ScanRequest(await fixture.Emulator.LoginCodeAsync(await fixture.Emulator.CreateUserAsync()), nickname, avatar));

        var scanner = scan.Value!.Ticket.Scanner!;
        Assert.Equal(nickname[..Math.Min(64, nicknameLength)], scanner.Nickname);
        Assert.Equal(avatar[..Math.Min(1024, avatarLength)], scanner.AvatarUrl);
        Assert.Equal(scanner, (await ticket.GetStatusAsync()).Value!.Scanner);
    }

    [Fact]
    public async Task Watchers_hear_each_change_once_stamped_and_nothing_after_the_end()
    {
        var ticket = await OpenAsync();
        var watcher = new RecordingWatcher();
        var reference = fixture.Grains.CreateObjectReference<ITicketWatcher>(watcher);
        Assert.Equal((TicketStatus.Pending, 1), ((await ticket.WatchAsync(reference)).Value!.Status, (await ticket.GetStatusAsync()).Value!.Version));

        var openId = await fixture.Emulator.CreateUserAsync(phone: null);
        var token = await _driver.ScanAsync(ticket, openId);
        var code = (await ticket.ConfirmAsync(new ConfirmRequest(token, null))).Value!.ExchangeCode!;
        // A retried confirm changes nothing: nothing is pushed for it.
        await ticket.ConfirmAsync(new ConfirmRequest(token, null));
        Assert.True((await ticket.ExchangeAsync(new ExchangeRequest(code, TicketDriver.BrowserSecret, null, null))).Succeeded);

        var heard = (await watcher.UntilAsync(TicketStatus.Consumed)).OrderBy(s => s.Version).ToList(); // pushes may overtake each other
        Assert.Equal([(TicketStatus.Scanned, 2), (TicketStatus.Confirmed, 3), (TicketStatus.Consumed, 4)], heard.Select(s => (s.Status, s.Version)));
        Assert.All(heard, s => Assert.NotNull(s.ChangedAt));
        Assert.Equal(code, heard[1].ExchangeCode);

        // A finished ticket takes no watchers: it will never change again.
        var late = new RecordingWatcher();
        Assert.Equal(TicketStatus.Consumed, (await ticket.WatchAsync(fixture.Grains.CreateObjectReference<ITicketWatcher>(late))).Value!.Status);
        Assert.Equal(FailureCodes.TicketNotFound,
            (await fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId()).WatchAsync(reference)).Failure?.Code);
    }

    [Fact]
    public async Task Every_watcher_of_a_ticket_hears_its_changes()
    {
        var ticket = await OpenAsync();
        var first = new RecordingWatcher();
        var second = new RecordingWatcher();
        await ticket.WatchAsync(fixture.Grains.CreateObjectReference<ITicketWatcher>(first));
        await ticket.WatchAsync(fixture.Grains.CreateObjectReference<ITicketWatcher>(second));

        await _driver.ScanAsync(ticket, await fixture.Emulator.CreateUserAsync(phone: null));
        Assert.Equal(2, Assert.Single(await first.UntilAsync(TicketStatus.Scanned)).Version);
        Assert.Equal(2, Assert.Single(await second.UntilAsync(TicketStatus.Scanned)).Version);
    }

    [Fact]
    public async Task A_confirmed_ticket_stays_stored_for_its_whole_exchange_window()
    {
        var ticket = await OpenAsync();
        var code = (await _driver.ScanAndConfirmAsync(ticket, await fixture.Emulator.CreateUserAsync(phone: null))).Value!.ExchangeCode!;
        // Past the retention of finished tickets (120 s), within the exchange window (300 s): another activation
        // (after a fail-over) must still find the confirmation in storage.
        fixture.Time.Advance(TimeSpan.FromSeconds(200));
        var stored = await fixture.SiloService<Grains.Tickets.ITicketStore>().ReadAsync(ticket.GetPrimaryKeyString());
        Assert.Equal((TicketStatus.Confirmed, code), (stored?.Status, stored?.ExchangeCode));
        Assert.True((await ticket.ExchangeAsync(new ExchangeRequest(code, TicketDriver.BrowserSecret, null, null))).Succeeded);
    }

    private sealed class RecordingWatcher : ITicketWatcher
    {
        private readonly List<TicketSnapshot> _heard = [];
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TicketStatus? _until;

        public Task OnTicketChangedAsync(TicketSnapshot snapshot)
        {
            lock (_heard)
            {
                _heard.Add(snapshot);
                if (snapshot.Status == _until) _done.TrySetResult();
            }
            return Task.CompletedTask;
        }

        public async Task<List<TicketSnapshot>> UntilAsync(TicketStatus status)
        {
            lock (_heard)
            {
                _until = status;
                if (_heard.Any(s => s.Status == status)) _done.TrySetResult();
            }
            await _done.Task.WithinAsync(TimeSpan.FromSeconds(10), $"a pushed {status}", () =>
            {
                lock (_heard) return Task.FromResult("pushed so far: " + string.Join(", ", _heard.Select(s => $"{s.Status} v{s.Version}")));
            });
            lock (_heard) return [.. _heard];
        }
    }
}
