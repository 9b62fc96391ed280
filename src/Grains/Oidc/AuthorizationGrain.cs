using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Oidc;

/// <summary>
/// One hosted login: the validated OpenID Connect request, the QR ticket shown for it and its one-use code.
/// The code is "{request id}.{secret}" so the token endpoint finds this grain; only the secret's hash is stored.
/// </summary>
public sealed class AuthorizationGrain(
    [PersistentState("authorization", StorageNames.Configuration)] IPersistentState<AuthorizationState> state,
    TicketClock clock,
    IOptions<HostedLoginOptions> options) : Grain, IAuthorizationGrain
{
    private const string CodePurpose = "authorization-code";
    private ITimer? _deadlineTimer;

    private AuthorizationState Login => state.State;
    private string RequestId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists) await OnClockAsync();
    }

    async Task<Outcome<AuthorizationView>> IAuthorizationGrain.StartAsync(AuthorizationRequest request, string ticketId)
    {
        if (state.RecordExists) return new Failure(AuthorizationFailures.AlreadyCompleted, "This authorization request already exists.");
        state.State = new AuthorizationState { Request = request, TicketId = ticketId, ExpiresAt = clock.Now + options.Value.RequestLifetime };
        await state.WriteStateAsync();
        ArmTimer();
        return View();
    }

    async Task<Outcome<AuthorizationView>> IAuthorizationGrain.GetAsync(string browserSecret)
    {
        if (await CheckBrowserAsync(browserSecret) is { } refused) return refused;
        return View();
    }

    async Task<Outcome<AuthorizationView>> IAuthorizationGrain.RenewAsync(string browserSecret, string ticketId)
    {
        if (await CheckBrowserAsync(browserSecret) is { } refused) return refused;
        if (Login.CodeHash is not null) return new Failure(AuthorizationFailures.AlreadyCompleted, "This login has already finished.");
        Login.TicketId = ticketId;
        await state.WriteStateAsync();
        return View();
    }

    async Task<Outcome<AuthorizationCompletion>> IAuthorizationGrain.CompleteAsync(string browserSecret)
    {
        if (await CheckBrowserAsync(browserSecret) is { } refused) return refused;
        if (Login.CodeHash is not null) return new Failure(AuthorizationFailures.AlreadyCompleted, "This login has already finished.");

        var ticket = GrainFactory.GetGrain<ITicketGrain>(Login.TicketId);
        var status = await ticket.GetStatusAsync();
        if (status.Value is not { Status: TicketStatus.Confirmed, ExchangeCode: { } exchangeCode })
            return new Failure(AuthorizationFailures.NotConfirmed, "The phone has not confirmed this login.");
        // The request id as idempotency key: if this grain fails after the exchange, a retry gets the same user back.
        var grant = await ticket.ExchangeAsync(new ExchangeRequest(exchangeCode, browserSecret, null, RequestId, HostedLogin: true));
        if (grant.Value is not { } exchanged) return grant.Failure!;

        var code = $"{RequestId}.{Secrets.NewSecret()}";
        var now = clock.Now;
        Login.User = exchanged.User;
        Login.AuthTime = now;
        Login.CodeHash = Secrets.Hash(CodePurpose, code);
        Login.CodeExpiresAt = now + options.Value.CodeLifetime;
        await state.WriteStateAsync();
        ArmTimer();
        return new AuthorizationCompletion(Login.Request.RedirectUri, code, Login.Request.State, Login.Request.Popup, Login.Request.FormPost);
    }

    async Task<Outcome<AuthorizationGrant>> IAuthorizationGrain.RedeemAsync(CodeRedemption redemption)
    {
        var invalid = new Failure(AuthorizationFailures.InvalidGrant, "The authorization code is invalid, expired or already used.");
        if (!state.RecordExists) return invalid;
        await OnClockAsync();
        if (!state.RecordExists || Login.CodeHash is not { } hash || !Secrets.FixedTimeEquals(hash, Secrets.Hash(CodePurpose, redemption.Code)))
            return invalid;
        if (Login.CodeUsed || clock.Now >= Login.CodeExpiresAt) return invalid;

        var request = Login.Request;
        var refusal = redemption.ClientId != request.ClientId
            ? new Failure(AuthorizationFailures.InvalidGrant, "The code was issued to another client.")
            : redemption.RedirectUri != request.RedirectUri
                ? new Failure(AuthorizationFailures.InvalidGrant, "redirect_uri differs from the authorization request's.")
                : CheckPkce(request.CodeChallenge, redemption);
        // Any attempt with the right code uses it up, so a wrong verifier cannot be retried until it fits.
        Login.CodeUsed = true;
        await state.WriteStateAsync();
        if (refusal is not null) return refusal;
        return new AuthorizationGrant(Login.User!, request.PoolId, request.ClientId, request.Scopes, request.Nonce, Login.AuthTime!.Value,
            request.IdentitySource);
    }

    async Task IAuthorizationGrain.OnDeadlineAsync()
    {
        if (state.RecordExists) await OnClockAsync();
    }

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

    private async Task<Failure?> CheckBrowserAsync(string browserSecret)
    {
        if (state.RecordExists) await OnClockAsync();
        if (!state.RecordExists) return new Failure(AuthorizationFailures.RequestNotFound, "This login has timed out or does not exist.");
        return Secrets.FixedTimeEquals(Login.Request.BrowserSecretHash, Secrets.HashBrowserSecret(browserSecret)) ? null
            : new Failure(AuthorizationFailures.OtherBrowser, "This login was started in another browser.");
    }

    private AuthorizationView View() => new(RequestId, Login.Request, Login.TicketId, Login.ExpiresAt, Login.CodeHash is not null);

    private DateTimeOffset Deadline => Login.CodeExpiresAt is { } code && code > Login.ExpiresAt ? code : Login.ExpiresAt;

    /// <summary>Erases the login once past its deadline (a used code is kept until then, so a replay is recognised).</summary>
    private async Task OnClockAsync()
    {
        if (clock.Now < Deadline) { ArmTimer(); return; }
        _deadlineTimer?.Dispose();
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    private void ArmTimer()
    {
        var delay = Deadline - clock.Now;
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        DelayDeactivation(delay + TimeSpan.FromSeconds(5));
        var self = this.AsReference<IAuthorizationGrain>();
        _deadlineTimer?.Dispose();
        _deadlineTimer = clock.Time.CreateTimer(static s => ((IAuthorizationGrain)s!).OnDeadlineAsync(), self, delay, Timeout.InfiniteTimeSpan);
    }
}
