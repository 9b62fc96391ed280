using System.Security.Cryptography;
using ScanLogin.Grains.QrCodes;

namespace ScanLogin.Grains.Configuration;

/// <summary>Uploaded branding logos of a pool or an application, checked and normalized as identity-source logos are.</summary>
public sealed class BrandingLogoGrain(
    [PersistentState("branding-logos", StorageNames.Configuration)] IPersistentState<BrandingLogoState> state) : Grain, IBrandingLogoGrain
{
    // Light and dark, each with the one being replaced (a page rendered a moment ago may still ask for it).
    private const int MaxKept = 4;

    async Task<Outcome<string>> IBrandingLogoGrain.StoreAsync(byte[] image, string[] keep)
    {
        var normalized = LogoImage.Normalize(image);
        if (normalized.Value is not { } png) return normalized.Failure!;
        var hash = Secrets.Base64Url(SHA256.HashData(png))[..16];
        var images = state.State.Images;
        foreach (var name in images.Keys.Where(k => k != hash && !keep.Contains(k)).ToArray()) images.Remove(name);
        images[hash] = png;
        foreach (var name in images.Keys.Where(k => k != hash).Take(Math.Max(0, images.Count - MaxKept)).ToArray()) images.Remove(name);
        await state.WriteStateAsync();
        return hash;
    }

    async Task IBrandingLogoGrain.PruneAsync(string[] keep)
    {
        var images = state.State.Images;
        var dropped = images.Keys.Where(k => !keep.Contains(k)).ToArray();
        if (dropped.Length == 0) return;
        foreach (var name in dropped) images.Remove(name);
        if (images.Count == 0) await state.ClearStateAsync();
        else await state.WriteStateAsync();
    }

    Task<byte[]?> IBrandingLogoGrain.GetAsync(string hash) => Task.FromResult(state.State.Images.GetValueOrDefault(hash));
}

[GenerateSerializer, Alias("ScanLogin.BrandingLogoState")]
public sealed class BrandingLogoState
{
    [Id(0)] public Dictionary<string, byte[]> Images { get; set; } = [];
}
