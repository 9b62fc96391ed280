namespace ScanLogin.WebFront.Oidc;

/// <summary>Where pools are reached at hosts of their own (section "ScanLogin:Oidc", beside the silos' token settings).</summary>
public sealed class PoolHostOptions
{
    public const string Section = "ScanLogin:Oidc";

    /// <summary>
    /// A pool's own host, with <c>{pool}</c> for the pool id as the host's first label, e.g. <c>https://{pool}.login.example.com</c>.
    /// Unset: pools are reached only at {PublicBaseUrl}/oidc/{poolId} (verified custom domains still work).
    /// </summary>
    public string? PoolHostTemplate { get; set; }

    /// <summary>The front ends' own address; its host is never a pool's, and its scheme is a custom domain's when no template is set.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5000";

    /// <summary>How stale this front end's copy of the verified custom domains may be when a host it does not know is asked for.</summary>
    public TimeSpan DomainRefresh { get; set; } = TimeSpan.FromSeconds(5);
}
