namespace ScanLogin.Grains.Interfaces;

/// <summary>An application of a pool, as a ticket needs it. The secret is only ever held as a hash.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ApplicationSettings")]
public sealed record ApplicationSettings(
    [property: Id(0)] string AppId,
    [property: Id(1)] string PoolId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? LogoUrl,
    [property: Id(4)] string[] AllowedOrigins,
    [property: Id(5)] string[] CallbackUrls);

/// <summary>One application: its settings and the hash of its secret.</summary>
[Alias("ScanLogin.IApplicationGrain")]
public interface IApplicationGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("Get")]
    Task<ApplicationSettings?> GetAsync();

    /// <summary>Creates or replaces the application; a null secret keeps the current one.</summary>
    [Alias("Save")]
    Task SaveAsync(ApplicationSettings settings, string? appSecret);

    /// <summary>Compares in constant time; false for an unknown application.</summary>
    [ReadOnly, Alias("VerifySecret")]
    Task<bool> VerifySecretAsync(string appSecret);
}
