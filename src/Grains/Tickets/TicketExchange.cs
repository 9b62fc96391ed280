using ScanLogin.Grains.Access;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// Who may act on a confirmed ticket from the PC side, and the exchange of its code for tokens: the browser that created
/// the ticket (its secret) or the application's backend (its credentials), under the pool's rule on browsers (the
/// <see cref="AccessPolicy"/>'s); a retried exchange with the same idempotency key re-signs the same claims. The ticket
/// grain stores the consumed ticket.
/// </summary>
public static class TicketExchange
{
    private const string IdempotencyPurpose = "exchange-idempotency";

    /// <summary>What an exchange hands back, and the token to store with the consumed ticket (null: a retry, nothing to store).</summary>
    public sealed record Step(ExchangeGrant Grant, IssuedToken? Token);

    /// <summary>A new exchange code: the ticket id (so a front end can route it) and a secret.</summary>
    public static string NewCode(string ticketId) => $"{ticketId}.{Secrets.NewSecret()}";

    /// <summary>Whether <paramref name="secret"/> is the browser secret the ticket was created with.</summary>
    public static bool IsCreatingBrowser(TicketState ticket, string secret) =>
        Secrets.FixedTimeEquals(Secrets.HashBrowserSecret(secret), ticket.BrowserSecretHash);

    /// <summary>The token an earlier exchange of this consumed ticket issued for the same idempotency key, if any.</summary>
    public static IssuedToken? RetriedFor(TicketState ticket, string? keyHash) =>
        ticket.Status == TicketStatus.Consumed && keyHash is not null && ticket.Token is { IdempotencyKeyHash: { } issuedFor } issued
        && Secrets.FixedTimeEquals(issuedFor, keyHash) ? issued : null;

    public static string? HashIdempotencyKey(string? key) => key is { Length: > 0 } ? Secrets.Hash(IdempotencyPurpose, key) : null;

    /// <summary>The claims a QR login's tokens carry; a binding proven with the password adds "pwd" to the methods.</summary>
    public static TokenRequest TokenRequestFor(TicketState ticket, DateTimeOffset now) =>
        new(ticket.AppId, ticket.User!, TokenRequest.QrLoginScopes, ticket.Nonce, ticket.ConfirmedAt ?? now,
            ticket.PasswordProven ? [TokenRequest.WeChatScanMethod, "pwd"] : [TokenRequest.WeChatScanMethod], ticket.IdentitySource);

    /// <summary>The PC side proves it holds the ticket as for an exchange, and the pool's rule on browsers applies the same way.</summary>
    public static async Task<Failure?> CheckHolderAsync(IGrainFactory grains, TicketState ticket, TicketHolder holder)
    {
        if (!await IsHolderAsync(grains, ticket, holder.BrowserSecret, holder.App))
            return new Failure(FailureCodes.ExchangeForbidden, "Only the browser that created the ticket, or its application's backend, may act on it.");
        var pool = await grains.GetGrain<IUserPoolGrain>(ticket.PoolId).GetSettingsAsync();
        if (AccessPolicy.RefusesBrowser(holder.BrowserSecret, holder.HostedLogin, pool))
            return new Failure(FailureCodes.ExchangeForbidden, "This pool lets only the application's backend act on tickets (with its app secret).");
        return null;
    }

    /// <summary>Checks an exchange of a live ticket and signs its tokens; the caller stores the consumed ticket when a token is returned.</summary>
    public static async Task<Outcome<Step>> PrepareAsync(IGrainFactory grains, TicketState ticket, ExchangeRequest request, ProductClock clock)
    {
        if (ticket.ExchangeCode is not { } code || !Secrets.FixedTimeEquals(code, request.ExchangeCode))
            return new Failure(FailureCodes.ExchangeCodeInvalid, "The exchange code is not valid for a confirmed ticket.");
        if (!await IsHolderAsync(grains, ticket, request.BrowserSecret, request.App))
            return new Failure(FailureCodes.ExchangeForbidden, "Only the browser that created the ticket, or its application's backend, may exchange it.");

        var keyHash = HashIdempotencyKey(request.IdempotencyKey);
        if (RetriedFor(ticket, keyHash) is { } issued)
        {
            var again = await GrantAsync(grains, ticket, issued.Stamp, clock);
            return again.Value is { } regrant ? new Step(regrant, null) : again.Failure!;
        }

        var pool = await grains.GetGrain<IUserPoolGrain>(ticket.PoolId).GetSettingsAsync();
        if (AccessPolicy.RefusesBrowser(request.BrowserSecret, request.HostedLogin, pool))
            return new Failure(FailureCodes.ExchangeForbidden, "This pool lets only the application's backend exchange tickets (with its app secret).");
        var granted = await GrantAsync(grains, ticket, null, clock);
        if (granted.Value is not { } grant) return granted.Failure!;
        var stamp = grant.Tokens.Stamp;
        return new Step(grant, new IssuedToken(stamp.TokenId, stamp.IssuedAt, stamp.ExpiresAt, keyHash, ticket.AppId, stamp.KeyId));
    }

    private static async Task<bool> IsHolderAsync(IGrainFactory grains, TicketState ticket, string? browserSecret, AppCredentials? app) => (browserSecret, app) switch
    {
        ({ } secret, null) => IsCreatingBrowser(ticket, secret),
        (null, { } creds) => AccessPolicy.NameTheApplication(creds, ticket.AppId) && await grains.GetGrain<IApplicationGrain>(creds.AppId).VerifySecretAsync(creds.AppSecret),
        _ => false,
    };

    /// <summary>Signs the login's tokens through the pool's issuer; a stamp from an earlier exchange signs the same claims again.</summary>
    private static async Task<Outcome<ExchangeGrant>> GrantAsync(IGrainFactory grains, TicketState ticket, TokenStamp? reissue, ProductClock clock)
    {
        var issued = await grains.GetGrain<ITokenIssuerGrain>(ticket.PoolId).IssueTokensAsync(TokenRequestFor(ticket, clock.Now), reissue);
        return issued.Value is { } tokens ? new ExchangeGrant(ticket.User!, tokens, ticket.AppId) { AllowedOrigins = ticket.Terms?.AllowedOrigins } : issued.Failure!;
    }
}
