using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Access;
using ScanLogin.Grains.Configuration;
using ScanLogin.Grains.Observability;
using ScanLogin.Grains.QrCodes;
using ScanLogin.Grains.RateLimits;
using ScanLogin.Grains.WeChat;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// One QR ticket: its state, its store, its deadline and pushing each change to watching front ends. The moves are
/// <see cref="TicketLifecycle"/>'s; the phone's WeChat identity is <see cref="PhoneIdentity"/>'s, the account and binding
/// steps <see cref="TicketAccounts"/>', the exchange <see cref="TicketExchange"/>'s, the pictures <see cref="TicketImages"/>'
/// (drawn from the terms the access policy fixed at creation) and the read pacing <see cref="TicketReadPacing"/>'s.
/// Tickets are created by <see cref="TicketDesk"/> straight into the store; this grain reads its ticket from the store
/// at its first need (a status read, a watch, a phone action). Memory follows the store: a move is kept only once written.
/// </summary>
public sealed partial class TicketGrain(
    ITicketStore store,
    TicketDeadlines deadlines,
    ProductClock clock,
    IOptions<TicketOptions> options,
    IOptions<QrOptions> qrOptions,
    LogoLibrary logos,
    TimeProvider time,
    IOptionsMonitor<RateLimitOptions> rateLimits,
    RateLimitClock rateClock,
    SettingsCache settings,
    ILogger<TicketGrain> logger) : Grain, ITicketGrain
{
    // Made on first use: most tickets are watched by one front end and never drawn twice, and millions are live at once.
    private TicketWatchers? _watchers;
    private TicketImages? _images;
    // Made at the first phone action (or open link), not at activation: most tickets never see a phone.
    private PhoneIdentity? _phone;
    private PhoneIdentity Phone => _phone ??= new(GrainFactory, ServiceProvider, rateLimits, rateClock, logger);
    private TicketAccounts? _accounts;
    private TicketAccounts Accounts => _accounts ??= new(GrainFactory, options.Value, clock);
    // The status-read bucket, made at the first lease: its rule is the ticket's application's (or pool's, or the platform's).
    private RateLimits.TokenBucket? _reads;

    private TicketState? _ticket;
    private bool _loaded;
    private Task<TicketState?>? _loading;

    private TicketState Ticket => _ticket!;
    private bool Exists => _ticket is not null;
    // "new Failure", not "new": mutation testing skips message text by the constructor's name.
    private static Failure NotFound(string id) => new Failure(FailureCodes.TicketNotFound, $"Ticket {id} does not exist.");
    private static Failure Taken() => new Failure(FailureCodes.TicketExists, "A ticket with this id already exists.");

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        deadlines.Cancel(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    async Task<Outcome<TicketSnapshot>> ITicketGrain.GetStatusAsync() =>
        await ReadAsync() is { } ticket ? ticket.ToSnapshot() : NotFound(this.GetPrimaryKeyString());

    async Task<Outcome<TicketSnapshot>> ITicketGrain.WatchAsync(ITicketWatcher watcher)
    {
        if (await ReadAsync() is not { } ticket) return NotFound(this.GetPrimaryKeyString());
        if (!ticket.Status.IsTerminal()) (_watchers ??= new(options.Value.WatchLifetime)).Watch(watcher, time.GetUtcNow());
        return ticket.ToSnapshot();
    }

    async Task<Outcome<QrImage>> ITicketGrain.GetImageAsync(QrImageRequest request) =>
        await ReadAsync() is null ? NotFound(this.GetPrimaryKeyString()) : await Images.GetAsync(request);

    async Task<Outcome<OpenInWeChatLink>> ITicketGrain.GetOpenInWeChatLinkAsync()
    {
        if (await ReadAsync() is not { } ticket) return NotFound(this.GetPrimaryKeyString());
        if (ticket.Status == TicketStatus.Expired) return new Failure(FailureCodes.TicketExpired, "The ticket has expired; get a new code.");
        if (ticket.Status is not (TicketStatus.Pending or TicketStatus.Scanned))
            return new Failure(FailureCodes.InvalidTransition, "The ticket no longer waits for a phone.");
        return await Images.GetOpenLinkAsync();
    }

    private TicketImages Images => _images ??= new(
        request => TicketImageArt.RenderAsync(GrainFactory, logos, qrOptions.Value, Ticket, request, clock),
        () => WeChatOpenLinks.MakeAsync(GrainFactory, Phone.WeChat, ServiceProvider.GetRequiredService<IOptions<MiniProgramOptions>>().Value,
            Ticket.PoolId, Ticket.IdentitySource, Ticket.AppId, Ticket.TicketId, clock.Now, logger));

    async ValueTask<RateLease> ITicketGrain.LeaseReadsAsync(int wanted)
    {
        await LoadAsync();
        // Nothing stored (a guess, a typo, an erased ticket) keeps no activation, so no bucket either: the generic one.
        if (!Exists)
            return await GrainFactory.GetGrain<IRateLimitGrain>(RateLimitKeys.Of(RateLimitKeys.StatusReadsPerTicket, null, this.GetPrimaryKeyString())).LeaseAsync(wanted);
        return TicketReadPacing.Lease(ref _reads, rateLimits.CurrentValue, Ticket.AppId, Ticket.PoolId, rateClock.Now, wanted);
    }

    async Task ITicketGrain.OnDeadlineAsync()
    {
        await LoadAsync();
        if (Exists) await OnClockAsync();
    }

    /// <summary>Reads the ticket from the store the first time it is needed (interleaved readers share one read).</summary>
    private async Task LoadAsync()
    {
        if (_loaded) return;
        var loading = _loading ??= ReadStoredAsync();
        try
        {
            var stored = await loading;
            // A move may have been written meanwhile: it is newer than what was read. Nothing stored is not remembered:
            // the desk may create this id later without telling this activation, so the next need reads again.
            if (!_loaded && stored is not null) (_ticket, _loaded) = (SharedTicketStrings.Shared(stored), true);
        }
        finally
        {
            if (_loading == loading) _loading = null;
        }
        if (Exists) ArmDeadline(clock.Now);
        // An id with nothing behind it (a typo, a guess, an id not created yet) keeps no activation: anyone can ask
        // for random well-formed ids, and each would otherwise hold an activation until idle collection.
        else DeactivateOnIdle();
    }

    /// <summary>The stored ticket; one stored before tickets kept their terms gets them now, from the settings, as creation would have.</summary>
    private async Task<TicketState?> ReadStoredAsync()
    {
        var stored = await store.ReadAsync(this.GetPrimaryKeyString());
        if (stored is not { Terms: null }) return stored;
        var source = await settings.IdentitySourceAsync(IdentitySourceSettings.KeyOf(stored.PoolId, stored.IdentitySource));
        return stored with
        {
            Terms = AccessPolicy.TermsFor(await settings.ApplicationAsync(stored.AppId), source,
                ServiceProvider.GetRequiredService<IOptions<WeChatPlatformOptions>>().Value.DefaultMiniProgramAppId),
        };
    }

    /// <summary>
    /// For the interleaved readers, which must not move the ticket themselves: the ticket as the clock has decided it.
    /// If a deadline passed and the move is not stored yet (just reactivated, or the deadline call still queued), they
    /// answer what the clock will make of it and queue that move to the grain itself.
    /// </summary>
    private async Task<TicketState?> ReadAsync()
    {
        await LoadAsync();
        if (!Exists) return null;
        var now = clock.Now;
        if (!IsClockDue(now)) return Ticket;
        this.AsReference<ITicketGrain>().OnDeadlineAsync().Ignore();
        return TicketLifecycle.IsPastDeadline(Ticket, now) ? TicketLifecycle.Expire(Ticket, now).Value : null;
    }

    /// <summary>Applies the clock first; false when there is no ticket, including one the clock just erased.</summary>
    private async Task<bool> IsLiveAsync()
    {
        await LoadAsync();
        if (Exists) await OnClockAsync();
        return Exists;
    }

    private bool IsClockDue(DateTimeOffset now) =>
        TicketLifecycle.IsPastDeadline(Ticket, now) || Ticket.FinishedAt is { } finished && now >= finished + options.Value.Retention;

    /// <summary>Applies whatever the clock has decided: expiry of a live ticket, erasure of a finished one. Then re-arms the timer.</summary>
    private async Task OnClockAsync()
    {
        var now = clock.Now;
        if (TicketLifecycle.IsPastDeadline(Ticket, now))
        {
            await CommitAsync(TicketLifecycle.Expire(Ticket, now));
            return;
        }
        if (Ticket.FinishedAt is { } finished && now >= finished + options.Value.Retention)
        {
            // Done and past anyone's interest: erase it (the store would forget it soon anyway) and free the activation.
            deadlines.Cancel(Ticket.TicketId);
            await store.DeleteAsync(Ticket.TicketId, Ticket.Version);
            _ticket = null;
            DeactivateOnIdle();
            return;
        }
        ArmDeadline(now);
    }

    private async Task<Outcome<TicketSnapshot>> CommitAsync(Outcome<TicketState> move)
    {
        if (move.Value is not { } next) return move.Failure!;
        var previous = _ticket;
        // Browsers hear version changes; some moves change the state without one (counters): those are stored too.
        var changed = previous is null || next.Version != previous.Version;
        if (!ReferenceEquals(next, previous))
        {
            // Written first, kept second: if the write fails (or throws), this activation still holds what is stored.
            if (!await store.WriteAsync(next, previous?.Version ?? 0, ForgetAt(next)))
            {
                if (previous is null) return Taken();
                // Storage is ahead of this activation: a write whose reply was lost (Redis restarting between the two) or,
                // never expected, another activation. Read again next time; the caller's retry then meets the stored move
                // (every move is idempotent for its retry), so this is a 503 to retry, not a 500.
                (_ticket, _loaded) = (null, false);
                throw new StorageUnavailableException($"Ticket {next.TicketId} changed in storage behind its activation; try again.");
            }
            (_ticket, _loaded) = (next, true);
        }
        var snapshot = next.ToSnapshot();
        if (changed)
        {
            TicketMetrics.Moved(next.Status);
            TicketLog.Moved(logger, next);
        }
        if (changed && _watchers is not null)
        {
            // Stamped with the wall clock so front ends can measure how long the news took to reach a browser.
            var news = snapshot with { ChangedAt = time.GetUtcNow() };
            await _watchers.NotifyAsync(w => w.OnTicketChangedAsync(news), news.ChangedAt!.Value, logger);
            if (next.Status.IsTerminal()) _watchers.Clear();
        }
        ArmDeadline(clock.Now);
        return snapshot;
    }

    /// <summary>When the store may forget a ticket: nobody cares about it once its deadline and the retention have passed.</summary>
    private DateTimeOffset ForgetAt(TicketState ticket) => (ticket.Deadline ?? ticket.FinishedAt ?? clock.Now) + options.Value.Retention;

    private void ArmDeadline(DateTimeOffset now)
    {
        var due = Ticket.Deadline ?? Ticket.FinishedAt + options.Value.Retention;
        if (due is not { } at) return;
        var delay = at - now;
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        // Keep the activation (and its watchers) in memory until the next deadline.
        DelayDeactivation(delay + TimeSpan.FromSeconds(5));
        deadlines.Arm(Ticket.TicketId, at);
    }
}
