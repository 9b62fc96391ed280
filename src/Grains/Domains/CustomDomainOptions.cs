namespace ScanLogin.Grains.Domains;

/// <summary>Pools' custom domains (section "ScanLogin:Domains").</summary>
public sealed class CustomDomainOptions
{
    public const string Section = "ScanLogin:Domains";

    /// <summary>How many domains (pending or verified) one pool may hold.</summary>
    public int MaxPerPool { get; set; } = 10;

    /// <summary>How long a challenge fetch may take, connection included.</summary>
    public TimeSpan ChallengeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a challenge may be fetched from a loopback, private or link-local address. Off: a pool's admin cannot make the
    /// silo fetch from inside the operator's network. On only where pools' domains really live on private addresses.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>
    /// Fixed answers for names, as curl's --resolve ("login.shop.example" -> "10.0.0.5:8080", or "*.shop.example" for every name
    /// under it): for split-horizon DNS and tests.
    /// An address given here is the operator's choice and is used even when private.
    /// </summary>
    public Dictionary<string, string> Resolve { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
