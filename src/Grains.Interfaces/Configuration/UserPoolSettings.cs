namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// A tenant: the user pool every application and identity source belongs to, and how its logins end.
/// Defaults are the zero values, so state written before a setting existed reads as the default.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UserPoolSettings")]
public sealed record UserPoolSettings(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string Name,
    [property: Id(2)] bool BrowserExchangeDisabled = false,
    [property: Id(3)] int TokenLifetimeSeconds = 0,
    [property: Id(4)] bool SessionEnabled = false,
    [property: Id(5)] int SessionLifetimeSeconds = 0,
    // The hosted login's look for every application of the pool that does not set its own (Id 20: see ApplicationSettings).
    [property: Id(20)] Branding? Branding = null)
{
    public const int DefaultTokenLifetimeSeconds = 3600;

    /// <summary>A pool session's lifetime when none is set: a working day.</summary>
    public const int DefaultSessionLifetimeSeconds = 8 * 3600;

    /// <summary>How long the hosted login's session lasts after the scan that opened it (off unless <see cref="SessionEnabled"/>).</summary>
    public TimeSpan SessionLifetime => TimeSpan.FromSeconds(SessionLifetimeSeconds > 0 ? SessionLifetimeSeconds : DefaultSessionLifetimeSeconds);

    /// <summary>Lifetime of the tokens an exchange hands out; 0 means the default hour.</summary>
    public TimeSpan TokenLifetime => TimeSpan.FromSeconds(TokenLifetimeSeconds > 0 ? TokenLifetimeSeconds : DefaultTokenLifetimeSeconds);
}
