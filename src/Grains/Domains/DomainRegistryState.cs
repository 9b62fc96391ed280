namespace ScanLogin.Grains.Domains;

/// <summary>Every pool's custom-domain claims, stored as one record in the configuration storage (PostgreSQL).</summary>
[GenerateSerializer, Alias("ScanLogin.DomainRegistryState")]
public sealed class DomainRegistryState
{
    [Id(0)] public DomainClaim[] Claims { get; set; } = [];
}

/// <summary>One pool's claim of one domain; verified once the domain served <see cref="Token"/>.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.DomainClaim")]
public sealed record DomainClaim(
    [property: Id(0)] string Domain,
    [property: Id(1)] string PoolId,
    [property: Id(2)] string Token,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? VerifiedAt)
{
    public PoolDomainView ToView() =>
        new(Domain, PoolId, VerifiedAt is not null, Token, $"http://{Domain}{CustomDomains.ChallengePath}{Token}", CreatedAt, VerifiedAt);

    // The challenge token proves control of the domain until it is verified: never in a log line.
    public override string ToString() => $"DomainClaim {{ Domain = {Domain}, PoolId = {PoolId}, CreatedAt = {CreatedAt}, VerifiedAt = {VerifiedAt} }}";
}
