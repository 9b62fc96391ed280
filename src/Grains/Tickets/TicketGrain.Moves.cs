using ScanLogin.Grains.Access;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// The ticket's moves from the phone (scan, confirm, cancel) and the PC (binding, exchange): each checks what the ticket
/// itself must (live, the same scanner), leaves the decision to its owner (<see cref="PhoneIdentity"/>, <see cref="TicketAccounts"/>,
/// <see cref="TicketExchange"/> under the <see cref="AccessPolicy"/>) and stores the move with <c>CommitAsync</c>.
/// </summary>
public sealed partial class TicketGrain
{
    async Task<Outcome<ScanView>> ITicketGrain.ScanAsync(ScanRequest request)
    {
        if (!await IsLiveAsync()) return NotFound(this.GetPrimaryKeyString());

        // A retried scan carries the same (now used) login code: answer it again without asking WeChat.
        if (Ticket.Status == TicketStatus.Scanned && Ticket.Scanner!.ScanCodeHash == PhoneIdentity.HashScanCode(request.LoginCode))
            return await ToScanViewAsync(PhoneIdentity.ScanTokenFor(this.GetPrimaryKeyString(), request.LoginCode));
        if (TicketLifecycle.CheckScannable(Ticket, clock.Now) is { } notScannable) return notScannable;
        var scan = await Phone.ScanAsync(Ticket, request);
        if (scan.Value is not { } scanned) return scan.Failure!;
        var moved = await CommitAsync(TicketLifecycle.Scan(Ticket, scanned.Scanner, clock.Now));
        return moved.Succeeded ? await ToScanViewAsync(scanned.ScanToken) : moved.Failure!;
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
        if (runtime.Failure is { Code: FailureCodes.IdentitySourceDisabled or FailureCodes.IdentitySourceNotFound or FailureCodes.MiniProgramChanged } gone)
            return await CommitAsync(TicketLifecycle.Reject(Ticket, scanTokenHash, gone.Code, clock.Now));
        if (runtime.Failure is { } unusable) return unusable;
        var approved = await Phone.ConfirmAsync(Ticket, runtime.Value!, request.PhoneCode);
        if (approved.Value is not { } login) return approved.Failure!;
        var moved = await CommitAsync(await Accounts.ConfirmAsync(Ticket, scanTokenHash, login));
        return moved.Value is { } snapshot ? TicketBinding.WithCode(snapshot, _ticket) : moved;
    }

    async Task<Outcome<BindingOffer>> ITicketGrain.GetBindingAsync(TicketHolder holder)
    {
        await LoadAsync();
        return Exists ? await Accounts.OfferAsync(Ticket, holder) : NotFound(this.GetPrimaryKeyString());
    }

    async Task<Outcome<TicketSnapshot>> ITicketGrain.BindExistingAccountAsync(TicketHolder holder, string bindingCode, string account, string password) =>
        await IsLiveAsync() ? await BindAsync(await Accounts.BindExistingAsync(Ticket, holder, bindingCode, account, password)) : NotFound(this.GetPrimaryKeyString());

    async Task<Outcome<TicketSnapshot>> ITicketGrain.BindNewAccountAsync(TicketHolder holder, string bindingCode, NewAccount account) =>
        await IsLiveAsync() ? await BindAsync(await Accounts.BindNewAsync(Ticket, holder, bindingCode, account)) : NotFound(this.GetPrimaryKeyString());

    /// <summary>Stores a binding step; a counted failure answers its refusal, or "too many" once the ticket has ended.</summary>
    private async Task<Outcome<TicketSnapshot>> BindAsync(TicketAccounts.Step step)
    {
        var moved = await CommitAsync(step.Move);
        if (step.Counted is not { } wrong) return moved;
        if (moved.Value is { Status: TicketStatus.Rejected })
            return new Failure(FailureCodes.TooManyAttempts, "Too many failed binding attempts for this login; scan a new code.");
        return moved.Failure ?? wrong;
    }

    async Task<Outcome<bool>> ITicketGrain.CheckCompletingAddressAsync(string? address)
    {
        if (await ReadAsync() is not { } ticket) return NotFound(this.GetPrimaryKeyString());
        var app = await settings.ApplicationAsync(ticket.AppId);
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

    /// <summary>What the phone is shown. The application's logo is its current one (an admin's change shows on live tickets),
    /// from this silo's settings cache, which every change clears at once.</summary>
    private async Task<ScanView> ToScanViewAsync(string scanToken)
    {
        var view = new ScanView(Ticket.ToSnapshot(), scanToken, Ticket.AppName, Ticket.IdentitySourceName, Ticket.Requester, Ticket.CreatedAt);
        return view with { RequestedVia = Ticket.RequestedVia, AppLogoUrl = AccessPolicy.AppLogoUrlOf(await settings.ApplicationAsync(Ticket.AppId)) };
    }
}
