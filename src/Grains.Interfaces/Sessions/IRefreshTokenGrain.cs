namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One refresh-token family (key: a random family id): the tokens handed out one after the other for one code grant. Tokens
/// are "{familyId}.{secret}" and only their hashes are stored; each use rotates to a new token, and a token used a second
/// time (someone holds a copy) revokes the whole family. Bound to the client it was issued to.
/// </summary>
[Alias("ScanLogin.IRefreshTokenGrain")]
public interface IRefreshTokenGrain : IGrainWithStringKey
{
    /// <summary>Starts the family with its first token (the answer); the family ends at the pool's refresh lifetime.</summary>
    [Alias("Start")]
    Task<Outcome<string>> StartAsync(RefreshFamilyStart start);

    /// <summary>Spends the current token for a new one and the grant's facts; a reused token revokes the family.</summary>
    [Alias("Rotate")]
    Task<Outcome<RefreshRotated>> RotateAsync(RefreshUse use);

    /// <summary>RFC 7009: ends the family if the token is one of it and the client is its own; true when something was revoked.</summary>
    [Alias("Revoke")]
    Task<bool> RevokeAsync(RefreshUse use);
}

/// <summary>What a refresh-token family grants: the code grant's user, client, scopes and login facts.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.RefreshFamilyStart")]
public sealed record RefreshFamilyStart(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string UserId,
    [property: Id(3)] string[] Scopes,
    [property: Id(4)] DateTimeOffset AuthTime,
    [property: Id(5)] string IdentitySource,
    [property: Id(6)] string[] AuthenticationMethods,
    [property: Id(7)] bool ClientAuthenticated = false);

/// <summary>A client presenting a refresh token (and for a refresh, optionally a narrower scope).</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.RefreshUse")]
public sealed record RefreshUse(
    [property: Id(0)] string Token,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string[]? Scopes = null,
    [property: Id(3)] bool ClientAuthenticated = false)
{
    public override string ToString() => $"RefreshUse {{ ClientId = {ClientId} }}";
}

/// <summary>A rotation's answer: the next token (the presented one is spent) and what to put into the new tokens.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.RefreshRotated")]
public sealed record RefreshRotated(
    [property: Id(0)] string RefreshToken,
    [property: Id(1)] UserProfile User,
    [property: Id(2)] string[] Scopes,
    [property: Id(3)] DateTimeOffset AuthTime,
    [property: Id(4)] string IdentitySource,
    [property: Id(5)] string[] AuthenticationMethods)
{
    public override string ToString() => $"RefreshRotated {{ User = {User} }}";
}

/// <summary>Refusal codes of refresh tokens; the token endpoint answers each as invalid_grant (invalid_scope for the scope).</summary>
public static class RefreshFailures
{
    public const string Invalid = "refresh_token_invalid";
    public const string Reused = "refresh_token_reused";
    public const string OtherClient = "refresh_token_other_client";
    public const string ClientUnauthenticated = "refresh_token_client_unauthenticated";
    public const string UserUnavailable = "refresh_token_user_unavailable";
    public const string ScopeWidened = "refresh_token_scope_widened";
}
