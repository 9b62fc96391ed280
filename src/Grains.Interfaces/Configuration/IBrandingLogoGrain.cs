namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// The uploaded branding logos of one pool (key "{poolId}") or one application (key "{poolId}/{appId}"), named by their
/// content. Settings refer to a logo by that name (<see cref="BrandingTheme.LogoHash"/>); names no longer referred to are
/// dropped at the next upload or prune.
/// </summary>
[Alias("ScanLogin.IBrandingLogoGrain")]
public interface IBrandingLogoGrain : IGrainWithStringKey
{
    /// <summary>Validates the image (PNG or JPEG, as identity-source logos), stores it as PNG, keeps only it and <paramref name="keep"/>; answers its name.</summary>
    [Alias("Store")]
    Task<Outcome<string>> StoreAsync(byte[] image, string[] keep);

    /// <summary>Drops every stored logo whose name is not in <paramref name="keep"/>.</summary>
    [Alias("Prune")]
    Task PruneAsync(string[] keep);

    /// <summary>The stored PNG of that name, or null.</summary>
    [ReadOnly, Alias("Get")]
    Task<byte[]?> GetAsync(string hash);
}

/// <summary>Where a pool's or an application's uploaded logos live.</summary>
public static class BrandingLogos
{
    /// <summary>The key of a pool's logos, or of an application's when <paramref name="appId"/> is given.</summary>
    public static string KeyOf(string poolId, string? appId) => appId is null ? poolId : $"{poolId}/{appId}";
}
