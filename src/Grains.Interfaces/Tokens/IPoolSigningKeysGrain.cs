namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One pool's token signing keys (keyed by pool id). Owns creation and rotation; private keys leave it only
/// encrypted by the key ring, for the silos' signers, and never reach an HTTP answer.
/// </summary>
[Alias("ScanLogin.IPoolSigningKeysGrain")]
public interface IPoolSigningKeysGrain : IGrainWithStringKey
{
    /// <summary>The keys with their encrypted private halves, for a silo's signer; makes the first key on first use. Null for an unknown pool.</summary>
    [Alias("GetKeySet")]
    Task<SigningKeySet?> GetKeySetAsync();

    /// <summary>
    /// Whether the pool has a key that may have signed a token still valid, without making one: a token shown to a pool
    /// without keys is refused without creating the pool's first key.
    /// </summary>
    [ReadOnly, Alias("HasKeys")]
    Task<bool> HasKeysAsync();

    /// <summary>What the pool's JWKS and discovery documents publish now. Null for an unknown pool.</summary>
    [Alias("GetPublished")]
    Task<PublishedSigningKeys?> GetPublishedAsync();

    /// <summary>The keys as operators see them: ids, algorithms and timings, never key material.</summary>
    [Alias("List")]
    Task<Outcome<SigningKeyView[]>> ListAsync();

    /// <summary>
    /// Adds a key that is published at once and signs after the propagation delay; the current key stops signing
    /// then and stays published until every token it signed has expired. Refused while a rotation is pending.
    /// </summary>
    [Alias("Rotate")]
    Task<Outcome<SigningKeyView[]>> RotateAsync(string? algorithm, Actor actor);
}

/// <summary>The JWS algorithms a pool may sign with.</summary>
public static class SigningAlgorithms
{
    public const string ES256 = "ES256";
    public const string RS256 = "RS256";

    public static readonly string[] All = [ES256, RS256];

    public static bool IsSupported(string? algorithm) => algorithm is ES256 or RS256;
}

/// <summary>Where a key is in its life: published before it signs, signing, then only verifying until its tokens expire.</summary>
[GenerateSerializer]
public enum SigningKeyStatus
{
    Next = 0,
    Current = 1,
    Retired = 2,
}

/// <summary>A signing key as an operator sees it.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.SigningKeyView")]
public sealed record SigningKeyView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Algorithm,
    [property: Id(2)] SigningKeyStatus Status,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset SignsFrom,
    [property: Id(5)] DateTimeOffset? SignsUntil,
    [property: Id(6)] DateTimeOffset? PublishedUntil);

/// <summary>One public key as a JWK (RFC 7517): EC keys carry crv, x, y; RSA keys n, e.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.PublicJsonWebKey")]
public sealed record PublicJsonWebKey(
    [property: Id(0)] string Kty,
    [property: Id(1)] string Kid,
    [property: Id(2)] string Alg,
    [property: Id(3)] string? Crv,
    [property: Id(4)] string? X,
    [property: Id(5)] string? Y,
    [property: Id(6)] string? N,
    [property: Id(7)] string? E)
{
    public string Use => "sig";
}

/// <summary>A pool's issuer and the public keys relying parties may see now (next, current and retired).</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.PublishedSigningKeys")]
public sealed record PublishedSigningKeys(
    [property: Id(0)] string Issuer,
    [property: Id(1)] PublicJsonWebKey[] Keys,
    [property: Id(2)] TimeSpan CacheFor);

/// <summary>
/// What a silo's signer needs: the pool's issuer and token lifetime, and each key with its private half encrypted by the key ring.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.SigningKeySet")]
public sealed record SigningKeySet(
    [property: Id(0)] string Issuer,
    [property: Id(1)] TimeSpan TokenLifetime,
    [property: Id(2)] ProtectedSigningKey[] Keys);

[GenerateSerializer, Immutable, Alias("ScanLogin.ProtectedSigningKey")]
public sealed record ProtectedSigningKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Algorithm,
    [property: Id(2)] string ProtectedPrivateKey,
    [property: Id(3)] DateTimeOffset SignsFrom,
    [property: Id(4)] DateTimeOffset? SignsUntil,
    [property: Id(5)] DateTimeOffset? PublishedUntil)
{
    // The private half is encrypted, but it still has no business in a log line.
    public override string ToString() => $"ProtectedSigningKey {{ {KeyId}, {Algorithm} }}";
}
