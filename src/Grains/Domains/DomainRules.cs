namespace ScanLogin.Grains.Domains;

/// <summary>The custom-domain rules as pure functions over the stored claims.</summary>
/// <param name="PublicHost">The front ends' own host: never a pool's domain.</param>
/// <param name="PoolHostTemplate">ScanLogin:Oidc:PoolHostTemplate: names under its suffix are pools' template hosts, not claimable.</param>
public sealed record DomainRules(int MaxPerPool, string PublicHost, string? PoolHostTemplate)
{
    /// <summary>Why the pool may not claim the domain, or null.</summary>
    public Failure? CheckClaim(IReadOnlyList<DomainClaim> claims, string poolId, string domain)
    {
        if (CustomDomains.Normalize(domain) is not { } name)
            return new Failure(AdminFailureCodes.ValidationFailed, "domain: a host name such as login.shop.example (lowercase letters, digits, '-' and dots; no port, no IP address).");
        if (name == PublicHost.ToLowerInvariant() || TemplateSuffix() is { } suffix && (name.EndsWith(suffix, StringComparison.Ordinal) || name == suffix[1..]))
            return new Failure(AdminFailureCodes.ValidationFailed, "domain: ScanLogin's own host names cannot be claimed.");
        if (HolderOf(claims, name) is { } holder && holder != poolId)
            return new Failure(DomainFailureCodes.Taken, $"{name} is verified by another user pool.");
        if (!claims.Any(c => c.PoolId == poolId && c.Domain == name) && claims.Count(c => c.PoolId == poolId) >= MaxPerPool)
            return new Failure(DomainFailureCodes.TooMany, $"A user pool may hold {MaxPerPool} domains; release one first.");
        return null;
    }

    /// <summary>The pool that has verified the domain, if any.</summary>
    public static string? HolderOf(IEnumerable<DomainClaim> claims, string domain) =>
        claims.FirstOrDefault(c => c.Domain == domain && c.VerifiedAt is not null)?.PoolId;

    /// <summary>
    /// The claims once the pool's claim (with this token) is verified: other pools' pending claims of the domain are dropped.
    /// Null when the claim is gone, its token changed, or another pool verified the domain meanwhile.
    /// </summary>
    public static (DomainClaim[] Claims, DomainClaim? Verified) Verify(DomainClaim[] claims, string poolId, string domain, string token, DateTimeOffset now)
    {
        var claim = claims.FirstOrDefault(c => c.PoolId == poolId && c.Domain == domain && c.Token == token);
        if (claim is null || HolderOf(claims, domain) is { } holder && holder != poolId) return (claims, null);
        var verified = claim with { VerifiedAt = claim.VerifiedAt ?? now };
        return (claims.Where(c => c.Domain != domain || c == claim).Select(c => c == claim ? verified : c).ToArray(), verified);
    }

    /// <summary>Verified domains and their pools.</summary>
    public static Dictionary<string, string> VerifiedMap(IEnumerable<DomainClaim> claims) =>
        claims.Where(c => c.VerifiedAt is not null).ToDictionary(c => c.Domain, c => c.PoolId, StringComparer.Ordinal);

    private string? TemplateSuffix()
    {
        var at = PoolHostTemplate?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        if (PoolHostTemplate is not { } template || at < 0) return null;
        var host = template[(at + 3)..].Split('/')[0].Split(':')[0].ToLowerInvariant();
        return host.StartsWith("{pool}.", StringComparison.Ordinal) ? host["{pool}".Length..] : null;
    }
}
