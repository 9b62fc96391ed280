namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// An application of a pool. The secret is only ever held as a hash.
/// <see cref="AuthingBrowserExchange"/>: an explicit opt-in letting the Authing JS SDK's browser exchange a QR ticket itself
/// (POST /api/v2/qrcode/userinfo without the app secret); off, only the application's backend may. The pool's
/// browser-exchange switch still applies on top.
/// <see cref="HostedLoginSameAddress"/>: the hosted login completes only for a browser at the address that opened (or last
/// renewed) its code, so a login opened in one place cannot be finished from another.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ApplicationSettings")]
public sealed record ApplicationSettings(
    [property: Id(0)] string AppId,
    [property: Id(1)] string PoolId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? LogoUrl,
    [property: Id(4)] string[] AllowedOrigins,
    [property: Id(5)] string[] CallbackUrls,
    [property: Id(6)] bool AuthingBrowserExchange = false,
    [property: Id(7)] bool HostedLoginSameAddress = false,
    // Id 20, not the next free number: other fields are being added at the same time; a record stored without it reads as null.
    [property: Id(20)] Branding? Branding = null);

/// <summary>A new application and its secret: the only time the secret is seen.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.CreatedApplication")]
public sealed record CreatedApplication(
    [property: Id(0)] Versioned<ApplicationSettings> Application,
    [property: Id(1)] string AppSecret)
{
    public override string ToString() => $"CreatedApplication {{ Application = {Application} }}";
}
