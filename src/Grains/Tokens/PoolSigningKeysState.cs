namespace ScanLogin.Grains.Tokens;

/// <summary>A pool's signing keys as stored: public halves in clear, private halves only as key-ring ciphertext.</summary>
[GenerateSerializer, Alias("ScanLogin.PoolSigningKeysState")]
public sealed record PoolSigningKeysState
{
    /// <summary>Which incarnation of the pool the keys belong to: a pool deleted and made again under the same id starts afresh.</summary>
    [Id(0)] public DateTimeOffset PoolCreatedAt { get; init; }

    [Id(1)] public StoredSigningKey[] Keys { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("ScanLogin.StoredSigningKey")]
public sealed record StoredSigningKey(
    [property: Id(0)] PublicJsonWebKey PublicKey,
    [property: Id(1)] string ProtectedPrivateKey,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset SignsFrom,
    [property: Id(4)] DateTimeOffset? SignsUntil)
{
    public string KeyId => PublicKey.Kid;

    public string Algorithm => PublicKey.Alg;

    /// <summary>A key stops being published once every token it can have signed has expired (plus relying parties' clock skew).</summary>
    public DateTimeOffset? PublishedUntil => SignsUntil + OidcOptions.MaxTokenLifetime + OidcOptions.ClockSkew;

    public bool IsPublishedAt(DateTimeOffset now) => PublishedUntil is not { } until || now < until;

    public bool SignsAt(DateTimeOffset now) => SignsFrom <= now && (SignsUntil is not { } until || now < until);

    public SigningKeyStatus StatusAt(DateTimeOffset now) =>
        now < SignsFrom ? SigningKeyStatus.Next : SignsAt(now) ? SigningKeyStatus.Current : SigningKeyStatus.Retired;

    public SigningKeyView ToView(DateTimeOffset now) => new(KeyId, Algorithm, StatusAt(now), CreatedAt, SignsFrom, SignsUntil, PublishedUntil);

    public override string ToString() => $"StoredSigningKey {{ {KeyId}, {Algorithm} }}";
}
