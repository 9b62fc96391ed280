using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.QrCodes;
using ScanLogin.Grains.Observability;
using ScanLogin.Grains.RateLimits;
using ScanLogin.Grains.WeChat;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// One QR ticket. The rules live in <see cref="TicketLifecycle"/>; this grain adds the side effects:
/// WeChat calls, the user pool, persistence, the deadline and pushing each change to watching front ends.
/// Tickets are created by <see cref="TicketDesk"/> straight into the store; this grain reads its ticket from the store
/// at its first need (a status read, a watch, a phone action). Memory follows the store: a move is kept only once written.
/// </summary>
public sealed class TicketGrain(
    ITicketStore store,
    TicketDeadlines deadlines,
    ProductClock clock,
    IOptions<TicketOptions> options,
    IOptions<QrOptions> qrOptions,
    LogoLibrary logos,
    TimeProvider time,
    IOptionsMonitor<RateLimitOptions> rateLimits,
    RateLimitClock rateClock,
    ILogger<TicketGrain> logger) : Grain, ITicketGrain
{
    // Made on first use: most tickets are watched by one front end and never drawn twice, and millions are live at once.
    private TicketWatchers? _watchers;
    private TicketImages? _images;
    // Made at the first phone action (or open link), not at activation: most tickets never see a phone.
    private PhoneIdentity? _phone;
    private PhoneIdentity Phone => _phone ??= new(GrainFactory, ServiceProvider, rateLimits, rateClock, logger);
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

    async Task<Outcome<ScanView>> ITicketGrain.ScanAsync(ScanRequest request)
    {
        if (!await IsLiveAsync()) return NotFound(this.GetPrimaryKeyString());

        // A retried scan carries the same (now used) login code: answer it again without asking WeChat.
        if (Ticket.Status == TicketStatus.Scanned && Ticket.Scanner!.ScanCodeHash == PhoneIdentity.HashScanCode(request.LoginCode))
            return ToScanView(PhoneIdentity.ScanTokenFor(this.GetPrimaryKeyString(), request.LoginCode));
        if (TicketLifecycle.CheckScannable(Ticket, clock.Now) is { } notScannable) return notScannable;
        var scan = await Phone.ScanAsync(Ticket, request);
        if (scan.Value is not { } scanned) return scan.Failure!;
        var moved = await CommitAsync(TicketLifecycle.Scan(Ticket, scanned.Scanner, clock.Now));
        return moved.Succeeded ? ToScanView(scanned.ScanToken) : moved.Failure!;
    }

    async Task<Outcome<TicketSnapshot>> ITicketGrain.ConfirmAsync(ConfirmRequest request)
    {
        if (!await IsLiveAsync()) return NotFound(this.GetPrimaryKeyString());

        var scanTokenHash = PhoneIdentity.HashScanToken(request.ScanToken);
        // A retried confirm (or a retry after the policy refused) gets the answer the first one got.
        if (Ticket.Status is TicketStatus.Confirmed or TicketStatus.Rejected or TicketStatus.Consumed or TicketStatus.BindingRequired
            && Ticket.Scanner is { } scanned && Secrets.FixedTimeEquals(scanned.ScanTokenHash, scanTokenHash))
            return TicketBinding.WithCode(Ticket.ToSnapshot(), _ticket);
        if (TicketLifecycle.CheckScanner(Ticket, scanTokenHash, clock.Now, "confirm") is { } notConfirmable) return notConfirmable;

        var runtime = await Phone.GetRuntimeAsync(Ticket);
        if (runtime.Failure is { Code: FailureCodes.IdentitySourceDisabled or FailureCodes.IdentitySourceNotFound } gone)
            return await CommitAsync(TicketLifecycle.Reject(Ticket, scanTokenHash, gone.Code, clock.Now));
        if (runtime.Failure is { } unusable) return unusable;
        var approved = await Phone.ConfirmAsync(Ticket, runtime.Value!, request.PhoneCode);
        if (approved.Value is not { } login) return approved.Failure!;
        var resolution = await GrainFactory.GetGrain<IUserPoolGrain>(Ticket.PoolId).ResolveWeChatLoginAsync(login);

        var now = clock.Now;
        // A store outage is not the policy's answer: the ticket stays scanned and the phone may confirm again.
        if (resolution.Refusal is { Code: FailureCodes.AccountsUnavailable } unavailable) return unavailable;
        var moved = await CommitAsync(resolution switch
        {
            { User: { } user } => TicketLifecycle.Confirm(Ticket, scanTokenHash, user, TicketExchange.NewCode(Ticket.TicketId), options.Value.ExchangeWindow, now),
            { Outcome: AccountOutcome.BindingRequired } => TicketLifecycle.RequireBinding(Ticket, scanTokenHash, login, TicketBinding.NewCode(),
                options.Value.BindingWindow, now),
            _ => TicketLifecycle.Reject(Ticket, scanTokenHash, resolution.Refusal?.Code ?? FailureCodes.AccountNotFound, now),
        });
        return moved.Value is { } snapshot ? TicketBinding.WithCode(snapshot, _ticket) : moved;
    }

    async Task<Outcome<BindingOffer>> ITicketGrain.GetBindingAsync(TicketHolder holder)
    {
        await LoadAsync();
        if (!Exists) return NotFound(this.GetPrimaryKeyString());
        if (await TicketExchange.CheckHolderAsync(GrainFactory, Ticket, holder) is { } refused) return refused;
        if (TicketLifecycle.CheckBinding(Ticket, clock.Now) is { } notBinding) return notBinding;
        return TicketBinding.OfferFor(Ticket, options.Value.BindingAttempts);
    }

    async Task<Outcome<TicketSnapshot>> ITicketGrain.BindExistingAccountAsync(TicketHolder holder, string bindingCode, string account, string password)
    {
        if (!await IsLiveAsync()) return NotFound(this.GetPrimaryKeyString());
        if (await TicketExchange.CheckHolderAsync(GrainFactory, Ticket, holder) is { } refused) return refused;
        if (TicketLifecycle.CheckBinding(Ticket, clock.Now) is { } notBinding) return notBinding;
        // The code first: without it no password is even checked, so a stranger's page learns nothing about the account.
        if (TicketLifecycle.CheckBindingCode(Ticket, bindingCode) is { } wrongCode) return await CountFailureAsync(wrongCode);

        var resolution = await GrainFactory.GetGrain<IUserPoolGrain>(Ticket.PoolId).BindWithPasswordAsync(Ticket.PendingLogin!, account, password);
        // Counted per ticket as well as per account and identity: one ticket cannot try passwords on many accounts.
        if (resolution.Refusal is { Code: FailureCodes.InvalidCredentials or FailureCodes.AccountLocked } wrong) return await CountFailureAsync(wrong);
        return await CompleteBindingAsync(resolution, passwordProven: true);
    }

    async Task<Outcome<TicketSnapshot>> ITicketGrain.BindNewAccountAsync(TicketHolder holder, string bindingCode, NewAccount account)
    {
        if (!await IsLiveAsync()) return NotFound(this.GetPrimaryKeyString());
        if (await TicketExchange.CheckHolderAsync(GrainFactory, Ticket, holder) is { } refused) return refused;
        if (TicketLifecycle.CheckBinding(Ticket, clock.Now) is { } notBinding) return notBinding;
        if (TicketLifecycle.CheckBindingCode(Ticket, bindingCode) is { } wrongCode) return await CountFailureAsync(wrongCode);
        return await CompleteBindingAsync(await GrainFactory.GetGrain<IUserPoolGrain>(Ticket.PoolId).RegisterForBindingAsync(Ticket.PendingLogin!, account));
    }

    /// <summary>A failed binding attempt (wrong code or password): counted on the ticket, which ends at the limit.</summary>
    private async Task<Outcome<TicketSnapshot>> CountFailureAsync(Failure wrong)
    {
        var counted = await CommitAsync(TicketLifecycle.FailBinding(Ticket, options.Value.BindingAttempts, clock.Now));
        if (counted.Value is { Status: TicketStatus.Rejected })
            return new Failure(FailureCodes.TooManyAttempts, "Too many failed binding attempts for this login; scan a new code.");
        return counted.Failure ?? wrong;
    }

    private async Task<Outcome<TicketSnapshot>> CompleteBindingAsync(AccountResolution resolution, bool passwordProven = false)
    {
        if (resolution.User is not { } user) return resolution.Refusal ?? new Failure(FailureCodes.AccountNotFound, "No account was bound.");
        return await CommitAsync(TicketLifecycle.CompleteBinding(Ticket, user, TicketExchange.NewCode(Ticket.TicketId), options.Value.ExchangeWindow, clock.Now, passwordProven));
    }

    async Task<Outcome<bool>> ITicketGrain.CheckCompletingAddressAsync(string? address)
    {
        if (await ReadAsync() is not { } ticket) return NotFound(this.GetPrimaryKeyString());
        var app = await GrainFactory.GetGrain<IApplicationGrain>(ticket.AppId).GetAsync();
        return TicketBinding.CheckSameAddress(app, ticket, address) is { } refused ? refused : true;
    }

    async Task<Outcome<TicketSnapshot>> ITicketGrain.CancelAsync(string scanToken)
    {
        if (!await IsLiveAsync()) return NotFound(this.GetPrimaryKeyString());

        var scanTokenHash = PhoneIdentity.HashScanToken(scanToken);
        if (Ticket.Status == TicketStatus.Cancelled && Secrets.FixedTimeEquals(Ticket.Scanner!.ScanTokenHash, scanTokenHash))
            return Ticket.ToSnapshot();
        return await CommitAsync(TicketLifecycle.Cancel(Ticket, scanTokenHash, clock.Now));
    }

    async Task<Outcome<ExchangeGrant>> ITicketGrain.ExchangeAsync(ExchangeRequest request)
    {
        if (!await IsLiveAsync()) return NotFound(this.GetPrimaryKeyString());
        var step = await TicketExchange.PrepareAsync(GrainFactory, Ticket, request, clock);
        if (step.Value is not { } ready) return step.Failure!;
        // A retried exchange gets the same claims signed again and moves nothing.
        if (ready.Token is null) return ready.Grant;
        var moved = await CommitAsync(TicketLifecycle.Consume(Ticket, ready.Token, clock.Now));
        return moved.Succeeded ? ready.Grant : moved.Failure!;
    }

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
        var loading = _loading ??= store.ReadAsync(this.GetPrimaryKeyString());
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

    private ScanView ToScanView(string scanToken) =>
        new(Ticket.ToSnapshot(), scanToken, Ticket.AppName, Ticket.IdentitySourceName, Ticket.Requester, Ticket.CreatedAt) { RequestedVia = Ticket.RequestedVia };
}
