namespace ScanLogin.Grains.Oidc;

/// <summary>Hosted-login timings (section "ScanLogin:HostedLogin").</summary>
public sealed class HostedLoginOptions
{
    public const string Section = "ScanLogin:HostedLogin";

    /// <summary>How long a started login may take, renewed codes included, before the browser must start again.</summary>
    public TimeSpan RequestLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an authorization code may wait for the token request (RFC 6749 advises at most 10 minutes).</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromSeconds(60);
}
