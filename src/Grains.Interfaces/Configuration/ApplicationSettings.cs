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

/// <summary>One application: its settings and the hash of its secret.</summary>
[Alias("ScanLogin.IApplicationGrain")]
public interface IApplicationGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("Get")]
    Task<ApplicationSettings?> GetAsync();

    /// <summary>Creates or replaces the application as the system (seeding, tests); a null secret keeps the current one.</summary>
    [Alias("Save")]
    Task SaveAsync(ApplicationSettings settings, string? appSecret);

    [ReadOnly, Alias("GetVersioned")]
    Task<Versioned<ApplicationSettings>?> GetVersionedAsync();

    /// <summary>Creates the application with a freshly generated secret.</summary>
    [Alias("Create")]
    Task<Outcome<CreatedApplication>> CreateAsync(ApplicationSettings settings, Actor actor);

    [Alias("Update")]
    Task<Outcome<Versioned<ApplicationSettings>>> UpdateAsync(ApplicationSettings settings, int? ifRevision, Actor actor);

    /// <summary>Replaces the secret with a new one, returned once.</summary>
    [Alias("RotateSecret")]
    Task<Outcome<CreatedApplication>> RotateSecretAsync(int? ifRevision, Actor actor);

    [Alias("Delete")]
    Task<Outcome<bool>> DeleteAsync(int? ifRevision, Actor actor);

    /// <summary>Compares in constant time; false for an unknown application.</summary>
    [ReadOnly, Alias("VerifySecret")]
    Task<bool> VerifySecretAsync(string appSecret);
}
