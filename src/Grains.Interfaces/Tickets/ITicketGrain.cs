namespace ScanLogin.Grains.Interfaces;

/// <summary>One QR ticket: owns its expiry and every scan, confirm, cancel and exchange. Created by <see cref="ITicketDeskGrain"/>.</summary>
[Alias("ScanLogin.ITicketGrain")]
public interface ITicketGrain : IGrainWithStringKey
{
    /// <summary>Reads the current status. Interleaves: never waits behind a slow WeChat call.</summary>
    [AlwaysInterleave, Alias("GetStatus")]
    Task<Outcome<TicketSnapshot>> GetStatusAsync();

    /// <summary>Registers a front end's watcher for changes and returns the status at that moment.</summary>
    [AlwaysInterleave, Alias("Watch")]
    Task<Outcome<TicketSnapshot>> WatchAsync(ITicketWatcher watcher);

    /// <summary>The ticket's QR code as an image, rendered at most once per format and size.</summary>
    [AlwaysInterleave, Alias("GetImage")]
    Task<Outcome<QrImage>> GetImageAsync(QrImageRequest request);

    /// <summary>The link that opens the mini program's confirm page for this live ticket (same-phone login), made once per ticket.</summary>
    [AlwaysInterleave, Alias("GetOpenInWeChatLink")]
    Task<Outcome<OpenInWeChatLink>> GetOpenInWeChatLinkAsync();

    /// <summary>The phone scanned the code: identifies the WeChat user from the login code and answers who is asking, with a scan token.</summary>
    [Alias("Scan")]
    Task<Outcome<ScanView>> ScanAsync(ScanRequest request);

    /// <summary>The phone that scanned approves (with the scan token): resolves the account, or moves the ticket to binding_required.</summary>
    [Alias("Confirm")]
    Task<Outcome<TicketSnapshot>> ConfirmAsync(ConfirmRequest request);

    /// <summary>The phone that scanned refuses (with the scan token), also while the ticket waits for binding.</summary>
    [Alias("Cancel")]
    Task<Outcome<TicketSnapshot>> CancelAsync(string scanToken);

    /// <summary>Trades the confirmed ticket's one-time code for the user and tokens; a retry with the same idempotency key gets the same answer.</summary>
    [Alias("Exchange")]
    Task<Outcome<ExchangeGrant>> ExchangeAsync(ExchangeRequest request);

    /// <summary>Ask-binding: what the PC side may do with a ticket waiting for binding.</summary>
    [AlwaysInterleave, Alias("GetBinding")]
    Task<Outcome<BindingOffer>> GetBindingAsync(TicketHolder holder);

    /// <summary>
    /// Ask-binding: binds the approved WeChat identity to the existing account the PC side signs in to. The binding code
    /// (shown on the phone that approved) proves the PC is with that phone; a wrong one counts as a failed attempt.
    /// </summary>
    [Alias("BindExisting")]
    Task<Outcome<TicketSnapshot>> BindExistingAccountAsync(TicketHolder holder, string bindingCode, string account, string password);

    /// <summary>Ask-binding: creates a new account for the approved WeChat identity, where the source allows registration; needs the binding code as well.</summary>
    [Alias("BindNew")]
    Task<Outcome<TicketSnapshot>> BindNewAccountAsync(TicketHolder holder, string bindingCode, NewAccount account);

    /// <summary>
    /// The hosted login's completion from <paramref name="address"/>: refused (<c>address_changed</c>) when the ticket's
    /// application asks for the same address and this is not the one that opened the ticket; true otherwise.
    /// </summary>
    [AlwaysInterleave, Alias("CheckCompletingAddress")]
    Task<Outcome<bool>> CheckCompletingAddressAsync(string? address);

    /// <summary>
    /// Leases permits of this ticket's status-read bucket (<see cref="RateLimitKeys.StatusReadsPerTicket"/>), as
    /// <see cref="IRateLimitGrain.LeaseAsync"/> does for other keys: the ticket keeps its own bucket, under its application's
    /// and pool's rule, so a polled ticket costs no second activation. An id with no ticket behind it is limited by the
    /// generic bucket of its key.
    /// </summary>
    [AlwaysInterleave, Alias("LeaseReads")]
    ValueTask<RateLease> LeaseReadsAsync(int wanted);

    /// <summary>Called by the ticket's own timer; re-checks the clock, so an early call is harmless.</summary>
    [OneWay, Alias("OnDeadline")]
    Task OnDeadlineAsync();
}
