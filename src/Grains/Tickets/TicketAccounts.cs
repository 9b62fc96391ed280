namespace ScanLogin.Grains.Tickets;

/// <summary>
/// What a ticket asks of its pool's accounts, as moves for the ticket grain to store: the account behind a login the
/// phone approved, and the PC side's binding of a login that waits for one (the holder's proof, the binding code, then
/// the pool). Made by the ticket grain at the first confirm or binding call.
/// </summary>
public sealed class TicketAccounts(IGrainFactory grains, TicketOptions options, ProductClock clock)
{
    /// <summary>A binding step's move, and the refusal to answer if it counted a failed attempt (then the ticket may have ended).</summary>
    public sealed record Step(Outcome<TicketState> Move, Failure? Counted = null);

    /// <summary>
    /// The move a login approved on the phone makes: confirmed for the pool's user, waiting for binding, or rejected with
    /// the pool's reason. A store outage is not the pool's answer: nothing moves, and the phone may confirm again.
    /// </summary>
    public async Task<Outcome<TicketState>> ConfirmAsync(TicketState ticket, string scanTokenHash, WeChatLogin login)
    {
        var resolution = await Pool(ticket).ResolveWeChatLoginAsync(login);
        var now = clock.Now;
        if (resolution.Refusal is { Code: FailureCodes.AccountsUnavailable } unavailable) return unavailable;
        return resolution switch
        {
            { User: { } user } => TicketLifecycle.Confirm(ticket, scanTokenHash, user, TicketExchange.NewCode(ticket.TicketId), options.ExchangeWindow, now),
            { Outcome: AccountOutcome.BindingRequired } => TicketLifecycle.RequireBinding(ticket, scanTokenHash, login, TicketBinding.NewCode(),
                options.BindingWindow, now),
            _ => TicketLifecycle.Reject(ticket, scanTokenHash, resolution.Refusal?.Code ?? FailureCodes.AccountNotFound, now),
        };
    }

    /// <summary>What the PC holding the ticket may do while it waits for binding.</summary>
    public async Task<Outcome<BindingOffer>> OfferAsync(TicketState ticket, TicketHolder holder)
    {
        if (await TicketExchange.CheckHolderAsync(grains, ticket, holder) is { } refused) return refused;
        if (TicketLifecycle.CheckBinding(ticket, clock.Now) is { } notBinding) return notBinding;
        return TicketBinding.OfferFor(ticket, options.BindingAttempts);
    }

    /// <summary>Binds the waiting login to an existing account, proven by its password.</summary>
    public async Task<Step> BindExistingAsync(TicketState ticket, TicketHolder holder, string bindingCode, string account, string password)
    {
        if (await CheckAsync(ticket, holder, bindingCode) is { } refused) return refused;
        var resolution = await Pool(ticket).BindWithPasswordAsync(ticket.PendingLogin!, account, password);
        // Counted per ticket as well as per account and identity: one ticket cannot try passwords on many accounts.
        if (resolution.Refusal is { Code: FailureCodes.InvalidCredentials or FailureCodes.AccountLocked } wrong) return CountFailure(ticket, wrong);
        return Complete(ticket, resolution, passwordProven: true);
    }

    /// <summary>Registers a new account for the waiting login.</summary>
    public async Task<Step> BindNewAsync(TicketState ticket, TicketHolder holder, string bindingCode, NewAccount account)
    {
        if (await CheckAsync(ticket, holder, bindingCode) is { } refused) return refused;
        return Complete(ticket, await Pool(ticket).RegisterForBindingAsync(ticket.PendingLogin!, account));
    }

    /// <summary>The holder's proof, a ticket still waiting for binding, then the code: without it no password is even
    /// checked, so a stranger's page learns nothing about the account.</summary>
    private async Task<Step?> CheckAsync(TicketState ticket, TicketHolder holder, string bindingCode)
    {
        if (await TicketExchange.CheckHolderAsync(grains, ticket, holder) is { } refused) return new Step(refused);
        if (TicketLifecycle.CheckBinding(ticket, clock.Now) is { } notBinding) return new Step(notBinding);
        if (TicketLifecycle.CheckBindingCode(ticket, bindingCode) is { } wrongCode) return CountFailure(ticket, wrongCode);
        return null;
    }

    /// <summary>A failed binding attempt (wrong code or password): counted on the ticket, which ends at the limit.</summary>
    private Step CountFailure(TicketState ticket, Failure wrong) => new(TicketLifecycle.FailBinding(ticket, options.BindingAttempts, clock.Now), wrong);

    private Step Complete(TicketState ticket, AccountResolution resolution, bool passwordProven = false)
    {
        if (resolution.User is not { } user) return new Step(resolution.Refusal ?? new Failure(FailureCodes.AccountNotFound, "No account was bound."));
        return new Step(TicketLifecycle.CompleteBinding(ticket, user, TicketExchange.NewCode(ticket.TicketId), options.ExchangeWindow, clock.Now, passwordProven));
    }

    private IUserPoolGrain Pool(TicketState ticket) => grains.GetGrain<IUserPoolGrain>(ticket.PoolId);
}
