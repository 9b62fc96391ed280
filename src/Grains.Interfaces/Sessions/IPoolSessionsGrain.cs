namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// The hosted login's sessions of one pool (key: pool id): opened after a scan, they let another application of the pool
/// sign in without a new scan until they expire or are ended. A stateless worker: each session is one expiring Redis key,
/// so any silo answers; the browser holds only an opaque random token, Redis only its hash.
/// </summary>
[Alias("ScanLogin.IPoolSessionsGrain")]
public interface IPoolSessionsGrain : IGrainWithStringKey
{
    /// <summary>Opens a session for a finished scan login; null when the pool keeps no sessions.</summary>
    [Alias("Start")]
    Task<SessionOpened?> StartAsync(SessionStart start);

    /// <summary>Whether an authorization request signs in from the browser's session, needs a scan, or must answer login_required.</summary>
    [Alias("Decide")]
    Task<SessionDecision> DecideAsync(SessionQuery query);

    /// <summary>Whose the browser's session is (null: none, ended or expired); nothing changes.</summary>
    [ReadOnly, Alias("Owner")]
    Task<string?> OwnerAsync(string sessionToken);

    /// <summary>Ends the browser's session (logout); answers whose it was, or null when there was none.</summary>
    [Alias("End")]
    Task<string?> EndAsync(string sessionToken);

    /// <summary>Ends every session of the user and revokes every refresh-token family of the user (operators; block, delete).</summary>
    [Alias("EndUser")]
    Task<SessionsEnded> EndUserAsync(string userId);
}

/// <summary>A finished scan: who signed in, when the phone approved, through which source and method.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.SessionStart")]
public sealed record SessionStart(
    [property: Id(0)] string UserId,
    [property: Id(1)] DateTimeOffset AuthTime,
    [property: Id(2)] string IdentitySource,
    [property: Id(3)] string[] AuthenticationMethods);

/// <summary>The browser's new session token (for its cookie only) and when the session ends.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.SessionOpened")]
public sealed record SessionOpened([property: Id(0)] string Token, [property: Id(1)] DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"SessionOpened {{ ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>An authorization request's question to the session: the cookie's token (if any), prompt and max_age.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.SessionQuery")]
public sealed record SessionQuery(
    [property: Id(0)] string? SessionToken,
    [property: Id(1)] bool PromptNone,
    [property: Id(2)] bool PromptLogin,
    [property: Id(3)] int? MaxAgeSeconds)
{
    public override string ToString() => $"SessionQuery {{ Token = {SessionToken is not null}, None = {PromptNone}, Login = {PromptLogin}, MaxAge = {MaxAgeSeconds} }}";
}

/// <summary>What an authorization request does about the session.</summary>
public enum SessionOutcome
{
    /// <summary>Show the QR page: no usable session, or the client asked for a fresh login.</summary>
    Scan,
    /// <summary>Sign in as the session's user, with the session's auth_time.</summary>
    UseSession,
    /// <summary>prompt=none without a usable session.</summary>
    LoginRequired,
}

/// <summary>The decision, and for <see cref="SessionOutcome.UseSession"/> the session's user and login facts.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.SessionDecision")]
public sealed record SessionDecision(
    [property: Id(0)] SessionOutcome Outcome,
    [property: Id(1)] UserProfile? User = null,
    [property: Id(2)] DateTimeOffset? AuthTime = null,
    [property: Id(3)] string? IdentitySource = null,
    [property: Id(4)] string[]? AuthenticationMethods = null);

/// <summary>How many sessions and refresh-token families an operator's end (or a block, a delete) removed.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.SessionsEnded")]
public sealed record SessionsEnded([property: Id(0)] int Sessions, [property: Id(1)] int RefreshTokenFamilies);
