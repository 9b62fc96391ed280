namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One hosted-login authorization request (key: its random id): the OpenID Connect parameters the front end
/// validated, the QR ticket currently shown for it, and, once the phone confirmed, its one-use authorization code.
/// Only the browser that started it (holding the secret in its HttpOnly cookie) may read, renew or complete it.
/// </summary>
[Alias("ScanLogin.IAuthorizationGrain")]
public interface IAuthorizationGrain : IGrainWithStringKey
{
    /// <summary>Records a validated request and the first ticket opened for it.</summary>
    [Alias("Start")]
    Task<Outcome<AuthorizationView>> StartAsync(AuthorizationRequest request, string ticketId);

    /// <summary>The request as its browser sees it; refused for any other browser.</summary>
    [Alias("Get")]
    Task<Outcome<AuthorizationView>> GetAsync(string browserSecret);

    /// <summary>Replaces the shown ticket with a new one (after expiry, cancel or refusal), for the same browser.</summary>
    [Alias("Renew")]
    Task<Outcome<AuthorizationView>> RenewAsync(string browserSecret, string ticketId);

    /// <summary>Exchanges the confirmed ticket for its user and answers the one-use authorization code.</summary>
    [Alias("Complete")]
    Task<Outcome<AuthorizationCompletion>> CompleteAsync(string browserSecret);

    /// <summary>Redeems the code once, for the client, redirect URI and PKCE verifier it was issued for.</summary>
    [Alias("Redeem")]
    Task<Outcome<AuthorizationGrant>> RedeemAsync(CodeRedemption redemption);

    /// <summary>
    /// Signs in from the browser's pool session (the pool's sessions grain decides, with prompt and max_age): the request is
    /// stored already completed for the session's user and its code answered. Refused with <c>login_required</c> (prompt=none
    /// without a usable session) or <see cref="AuthorizationFailures.ScanNeeded"/> (show the QR page), storing nothing.
    /// </summary>
    [Alias("StartFromSession")]
    Task<Outcome<AuthorizationCompletion>> StartFromSessionAsync(AuthorizationRequest request, SessionQuery query);

    /// <summary>Called by the login's own timer; nothing to do but wake the grain (its state expires in the store).</summary>
    [OneWay, Alias("OnDeadline")]
    Task OnDeadlineAsync();
}

/// <summary>A validated /authorize request. The browser secret arrives hashed, the same hash its tickets hold.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AuthorizationRequest")]
public sealed record AuthorizationRequest(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string RedirectUri,
    [property: Id(3)] string[] Scopes,
    [property: Id(4)] string? State,
    [property: Id(5)] string? Nonce,
    [property: Id(6)] string? CodeChallenge,
    [property: Id(7)] string IdentitySource,
    [property: Id(8)] string Locale,
    [property: Id(9)] bool Popup,
    [property: Id(10)] string? LoginHint,
    [property: Id(11)] string BrowserSecretHash,
    [property: Id(12)] bool FormPost = false)
{
    public override string ToString() =>
        $"AuthorizationRequest {{ PoolId = {PoolId}, ClientId = {ClientId}, RedirectUri = {RedirectUri}, IdentitySource = {IdentitySource}, Popup = {Popup} }}";
}

/// <summary>What the hosted page shows: never the browser secret, never a code.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AuthorizationView")]
public sealed record AuthorizationView(
    [property: Id(0)] string RequestId,
    [property: Id(1)] AuthorizationRequest Request,
    [property: Id(2)] string TicketId,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] bool Completed);

/// <summary>Where to send the browser: the redirect URI with this code and the client's state.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AuthorizationCompletion")]
public sealed record AuthorizationCompletion(
    [property: Id(0)] string RedirectUri,
    [property: Id(1)] string Code,
    [property: Id(2)] string? State,
    [property: Id(3)] bool Popup,
    [property: Id(4)] bool FormPost,
    [property: Id(5)] SessionOpened? Session = null)
{
    public override string ToString() => $"AuthorizationCompletion {{ {RedirectUri}, Popup = {Popup} }}";
}

/// <summary>A token request's claim on a code; the front end has already authenticated the client, if it sent a secret.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.CodeRedemption")]
public sealed record CodeRedemption(
    [property: Id(0)] string Code,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string? RedirectUri,
    [property: Id(3)] string? CodeVerifier,
    [property: Id(4)] bool ClientAuthenticated)
{
    public override string ToString() => $"CodeRedemption {{ {ClientId}, {RedirectUri}, Pkce = {CodeVerifier is not null} }}";
}

/// <summary>What a redeemed code grants: the user and what the request asked for.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AuthorizationGrant")]
public sealed record AuthorizationGrant(
    [property: Id(0)] UserProfile User,
    [property: Id(1)] string PoolId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] string[] Scopes,
    [property: Id(4)] string? Nonce,
    [property: Id(5)] DateTimeOffset AuthTime,
    [property: Id(6)] string IdentitySource)
{
    public override string ToString() => $"AuthorizationGrant {{ User = {User}, PoolId = {PoolId}, ClientId = {ClientId}, IdentitySource = {IdentitySource} }}";
}

/// <summary>OAuth error codes the grain answers with (RFC 6749 5.2 and ours for the hosted page).</summary>
public static class AuthorizationFailures
{
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidClient = "invalid_client";
    public const string RequestNotFound = "authorization_request_not_found";
    public const string OtherBrowser = "authorization_other_browser";
    public const string NotConfirmed = "authorization_not_confirmed";
    public const string AlreadyCompleted = "authorization_already_completed";
    public const string ScanNeeded = "authorization_scan_needed";
    public const string LoginRequired = "login_required";
}
