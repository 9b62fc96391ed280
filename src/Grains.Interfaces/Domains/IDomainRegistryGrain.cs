namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// The one owner of which pool holds which custom domain (key 0): claims, their HTTP challenge, verification and release.
/// A domain verified by one pool is refused to every other; pending claims do not block, so nobody can squat a name by
/// claiming it first: the pool that proves control first holds it.
/// </summary>
[Alias("ScanLogin.IDomainRegistryGrain")]
public interface IDomainRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a domain to the pool, pending until its challenge is served; refused when another pool has verified it.</summary>
    [Alias("Claim")]
    Task<Outcome<PoolDomainView>> ClaimAsync(string poolId, string domain, Actor actor);

    /// <summary>The pool's domains, pending and verified.</summary>
    [Alias("List"), AlwaysInterleave]
    Task<PoolDomainView[]> ListAsync(string poolId);

    /// <summary>Fetches http://{domain}/.well-known/scanlogin-challenge/{token} and, when it answers the pool's token, verifies the domain.</summary>
    [Alias("Verify")]
    Task<Outcome<PoolDomainView>> VerifyAsync(string poolId, string domain, Actor actor);

    /// <summary>Removes the pool's claim (verified or not); the domain stops serving the pool at once.</summary>
    [Alias("Release")]
    Task<Outcome<bool>> ReleaseAsync(string poolId, string domain, Actor actor);

    /// <summary>Removes every claim of a deleted pool, so a pool created later under the same id inherits no domain.</summary>
    [Alias("ReleasePool")]
    Task ReleasePoolAsync(string poolId, Actor actor);

    /// <summary>Every verified domain and its pool: what front ends keep in memory to route hosts without asking per request.</summary>
    [Alias("GetVerified"), AlwaysInterleave]
    Task<VerifiedDomains> GetVerifiedAsync();
}

/// <summary>A pool's custom domain as the admin API shows it. The token is public by design: the domain serves it.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.PoolDomainView")]
public sealed record PoolDomainView(
    [property: Id(0)] string Domain,
    [property: Id(1)] string PoolId,
    [property: Id(2)] bool Verified,
    [property: Id(3)] string ChallengeToken,
    [property: Id(4)] string ChallengeUrl,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset? VerifiedAt)
{
    // The challenge token proves control of the domain until it is verified: never in a log line.
    public override string ToString() => $"PoolDomainView {{ Domain = {Domain}, PoolId = {PoolId}, Verified = {Verified}, CreatedAt = {CreatedAt}, VerifiedAt = {VerifiedAt} }}";
}

/// <summary>The verified domains (lowercase) and the pool each serves.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.VerifiedDomains")]
public sealed record VerifiedDomains([property: Id(0)] Dictionary<string, string> PoolByDomain);

/// <summary>Failure codes of custom domains.</summary>
public static class DomainFailureCodes
{
    /// <summary>Another pool has verified this domain.</summary>
    public const string Taken = "domain_taken";
    /// <summary>The domain did not serve the pool's challenge token.</summary>
    public const string ChallengeFailed = "domain_challenge_failed";
    /// <summary>The pool holds as many domains as it may.</summary>
    public const string TooMany = "domain_limit_reached";
}
