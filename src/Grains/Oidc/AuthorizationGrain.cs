using ScanLogin.Grains.Storage;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Oidc;

/// <summary>
/// One hosted login: the validated OpenID Connect request, the QR ticket shown for it and its one-use code.
/// The code is "{request id}.{secret}" so the token endpoint finds this grain; only the secret's hash is stored.
/// The login lives in <see cref="IExpiringRecordStore{T}"/> (Redis, beside the tickets), which forgets it at its deadline; the
/// activation keeps nothing between calls and leaves as soon as it is idle, so an abandoned /authorize costs one
/// expiring key and no memory, timer or database row.
/// </summary>
public sealed class AuthorizationGrain(IExpiringRecordStore<AuthorizationState> store, ProductClock clock, IOptions<HostedLoginOptions> options) : Grain, IAuthorizationGrain
{
    private const string CodePurpose = "authorization-code";

    private string RequestId => this.GetPrimaryKeyString();

    async Task<Outcome<AuthorizationView>> IAuthorizationGrain.StartAsync(AuthorizationRequest request, string ticketId)
    {
        DeactivateOnIdle();
        var login = new AuthorizationState { Request = request, TicketId = ticketId, ExpiresAt = clock.Now + options.Value.RequestLifetime, Version = 1 };
        if (!await store.WriteAsync(RequestId, login, 0, login.Deadline))
            return new Failure(AuthorizationFailures.AlreadyCompleted, "This authorization request already exists.");
        return View(login);
    }

    async Task<Outcome<AuthorizationView>> IAuthorizationGrain.GetAsync(string browserSecret)
    {
        DeactivateOnIdle();
        var (login, refused) = await LoadForBrowserAsync(browserSecret);
        return refused ?? (Outcome<AuthorizationView>)View(login!);
    }

    async Task<Outcome<AuthorizationView>> IAuthorizationGrain.RenewAsync(string browserSecret, string ticketId)
    {
        DeactivateOnIdle();
        var (login, refused) = await LoadForBrowserAsync(browserSecret);
        if (refused is not null) return refused;
        if (login!.CodeHash is not null) return new Failure(AuthorizationFailures.AlreadyCompleted, "This login has already finished.");
        login.TicketId = ticketId;
        if (!await SaveAsync(login)) return new Failure(AuthorizationFailures.AlreadyCompleted, "This login changed meanwhile; reload the page.");
        return View(login);
    }

    async Task<Outcome<AuthorizationCompletion>> IAuthorizationGrain.CompleteAsync(string browserSecret)
    {
        DeactivateOnIdle();
        var (login, refused) = await LoadForBrowserAsync(browserSecret);
        if (refused is not null) return refused;
        if (login!.CodeHash is not null) return new Failure(AuthorizationFailures.AlreadyCompleted, "This login has already finished.");

        var ticket = GrainFactory.GetGrain<ITicketGrain>(login.TicketId);
        var status = await ticket.GetStatusAsync();
        if (status.Value is not { Status: TicketStatus.Confirmed, ExchangeCode: { } exchangeCode })
            return new Failure(AuthorizationFailures.NotConfirmed, "The phone has not confirmed this login.");
        // The request id as idempotency key: if this grain fails after the exchange, a retry gets the same user back.
        var grant = await ticket.ExchangeAsync(new ExchangeRequest(exchangeCode, browserSecret, null, RequestId, HostedLogin: true));
        if (grant.Value is not { } exchanged) return grant.Failure!;

        var code = $"{RequestId}.{Secrets.NewSecret()}";
        var now = clock.Now;
        login.User = exchanged.User;
        login.AuthTime = now;
        login.CodeHash = Secrets.Hash(CodePurpose, code);
        login.CodeExpiresAt = now + options.Value.CodeLifetime;
        if (!await SaveAsync(login)) return new Failure(AuthorizationFailures.AlreadyCompleted, "This login has already finished.");
        // The pool's session (when it keeps one) lets its other applications sign in without a new scan.
        var session = await GrainFactory.GetGrain<IPoolSessionsGrain>(login.Request.PoolId).StartAsync(
            new SessionStart(exchanged.User.Id, now, login.Request.IdentitySource, [TokenRequest.WeChatScanMethod]));
        return new AuthorizationCompletion(login.Request.RedirectUri, code, login.Request.State, login.Request.Popup, login.Request.FormPost, session);
    }

    async Task<Outcome<AuthorizationCompletion>> IAuthorizationGrain.StartFromSessionAsync(AuthorizationRequest request, SessionQuery query)
    {
        DeactivateOnIdle();
        var decision = await GrainFactory.GetGrain<IPoolSessionsGrain>(request.PoolId).DecideAsync(query);
        if (decision.Outcome == SessionOutcome.LoginRequired)
            return new Failure(AuthorizationFailures.LoginRequired, "The user has no session here; prompt=none cannot show the QR login.");
        if (decision is not { Outcome: SessionOutcome.UseSession, User: { } user, AuthTime: { } authTime })
            return new Failure(AuthorizationFailures.ScanNeeded, "This login needs a scan.");
        var code = $"{RequestId}.{Secrets.NewSecret()}";
        var now = clock.Now;
        var login = new AuthorizationState
        {
            Request = request with { IdentitySource = decision.IdentitySource ?? request.IdentitySource }, ExpiresAt = now + options.Value.RequestLifetime,
            User = user, AuthTime = authTime, CodeHash = Secrets.Hash(CodePurpose, code), CodeExpiresAt = now + options.Value.CodeLifetime, Version = 1,
        };
        if (!await store.WriteAsync(RequestId, login, 0, login.Deadline))
            return new Failure(AuthorizationFailures.AlreadyCompleted, "This authorization request already exists.");
        return new AuthorizationCompletion(request.RedirectUri, code, request.State, request.Popup, request.FormPost);
    }

    async Task<Outcome<AuthorizationGrant>> IAuthorizationGrain.RedeemAsync(CodeRedemption redemption)
    {
        DeactivateOnIdle();
        var invalid = new Failure(AuthorizationFailures.InvalidGrant, "The authorization code is invalid, expired or already used.");
        if (await LoadAsync() is not { } login || login.CodeHash is not { } hash || !Secrets.FixedTimeEquals(hash, Secrets.Hash(CodePurpose, redemption.Code)))
            return invalid;
        if (login.CodeUsed || clock.Now >= login.CodeExpiresAt) return invalid;

        var request = login.Request;
        var refusal = redemption.ClientId != request.ClientId
            ? new Failure(AuthorizationFailures.InvalidGrant, "The code was issued to another client.")
            : redemption.RedirectUri != request.RedirectUri
                ? new Failure(AuthorizationFailures.InvalidGrant, "redirect_uri differs from the authorization request's.")
                : CheckPkce(request.CodeChallenge, redemption);
        // Any attempt with the right code uses it up, so a wrong verifier cannot be retried until it fits; of two racing
        // redemptions only the one whose write wins is answered.
        login.CodeUsed = true;
        if (!await SaveAsync(login)) return invalid;
        if (refusal is not null) return refusal;
        return new AuthorizationGrant(login.User!, request.PoolId, request.ClientId, request.Scopes, request.Nonce, login.AuthTime!.Value,
            request.IdentitySource);
    }

    /// <summary>Nothing to do: the store forgets a login at its deadline by itself (kept for callers of the interface).</summary>
    Task IAuthorizationGrain.OnDeadlineAsync() => Task.CompletedTask;

    /// <summary>RFC 7636 S256; a code issued without a challenge needs the client's secret instead.</summary>
    private static Failure? CheckPkce(string? challenge, CodeRedemption redemption)
    {
        if (challenge is null)
            return redemption.ClientAuthenticated ? null
                : new Failure(AuthorizationFailures.InvalidClient, "Client authentication is required: this code was issued without PKCE.");
        if (redemption.CodeVerifier is not { Length: >= 43 and <= 128 } verifier)
            return new Failure(AuthorizationFailures.InvalidGrant, "code_verifier is required (43 to 128 characters).");
        var computed = Secrets.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return Secrets.FixedTimeEquals(computed, challenge) ? null : new Failure(AuthorizationFailures.InvalidGrant, "code_verifier does not match the code_challenge.");
    }

    /// <summary>The stored login, unless past its deadline (the store's expiry is the same instant, this only spares a race).</summary>
    private async Task<AuthorizationState?> LoadAsync() =>
        await store.ReadAsync(RequestId) is { } login && clock.Now < login.Deadline ? login : null;

    private async Task<(AuthorizationState? Login, Failure? Refused)> LoadForBrowserAsync(string browserSecret)
    {
        if (await LoadAsync() is not { } login) return (null, new Failure(AuthorizationFailures.RequestNotFound, "This login has timed out or does not exist."));
        return Secrets.FixedTimeEquals(login.Request.BrowserSecretHash, Secrets.HashBrowserSecret(browserSecret)) ? (login, null)
            : (null, new Failure(AuthorizationFailures.OtherBrowser, "This login was started in another browser."));
    }

    private Task<bool> SaveAsync(AuthorizationState login)
    {
        var expected = login.Version++;
        return store.WriteAsync(RequestId, login, expected, login.Deadline);
    }

    private AuthorizationView View(AuthorizationState login) =>
        new(RequestId, login.Request, login.TicketId, login.ExpiresAt, login.CodeHash is not null);
}
