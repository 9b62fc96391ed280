namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One "try login" an operator opened from the console (keyed by a random id that is also the authorization's state): a
/// real hosted login of an application whose code comes back to ScanLogin's own callback, once, within minutes, and whose
/// result only a key that manages the application may read. Kept in memory: a try that outlives its silo is simply tried again.
/// </summary>
public interface ITryLoginGrain : IGrainWithStringKey
{
    /// <summary>Opens the try (once per id) for the application, identity source, redirect URI and PKCE pair given.</summary>
    Task<Outcome<TryLoginView>> OpenAsync(TryLoginOpening opening);

    /// <summary>Admits the authorization request that carries this id as its state: once, before expiry, for the same pool, client, redirect URI and code challenge.</summary>
    Task<bool> AdmitAuthorizationAsync(string poolId, string clientId, string redirectUri, string? codeChallenge);

    /// <summary>Hands the callback what it needs to redeem the code (once, only after the authorization was admitted).</summary>
    Task<Outcome<TryLoginOpening>> BeginRedemptionAsync(string poolId);

    /// <summary>Stores how the try ended: the user and the ID token's claims, or the error.</summary>
    Task FinishAsync(TryLoginResult result);

    /// <summary>The try as the console sees it: pending, signed_in or failed; null when no such try exists.</summary>
    Task<TryLoginView?> GetAsync();
}

[GenerateSerializer, Immutable, Alias("ScanLogin.TryLoginOpening")]
public sealed record TryLoginOpening(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string AppId,
    [property: Id(2)] string IdentitySource,
    [property: Id(3)] string RedirectUri,
    [property: Id(4)] string CodeVerifier,
    [property: Id(5)] string CodeChallenge)
{
    public override string ToString() => $"TryLoginOpening {{ {PoolId}, {AppId}, {IdentitySource} }}";
}

/// <summary>How a try ended: <c>UserJson</c> and <c>ClaimsJson</c> (the ID token's payload) on success, else <c>Error</c>.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TryLoginResult")]
public sealed record TryLoginResult(
    [property: Id(0)] string? UserJson,
    [property: Id(1)] string? ClaimsJson,
    [property: Id(2)] string? Error,
    [property: Id(3)] string? ErrorDescription);

[GenerateSerializer, Immutable, Alias("ScanLogin.TryLoginView")]
public sealed record TryLoginView(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string AppId,
    [property: Id(2)] string IdentitySource,
    [property: Id(3)] string Status,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] TryLoginResult? Result);

public static class TryLoginStatus
{
    public const string Pending = "pending";
    public const string SignedIn = "signed_in";
    public const string Failed = "failed";
}
