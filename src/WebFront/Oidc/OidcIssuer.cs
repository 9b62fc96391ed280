using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Oidc;

/// <summary>A pool's issuer ({ScanLogin:Oidc:PublicBaseUrl}/oidc/{poolId}) as the silos publish it, so every URL agrees with the tokens.</summary>
public static class OidcIssuer
{
    public static async Task<string?> OfAsync(IClusterClient cluster, string poolId) =>
        (await cluster.GetGrain<IPoolSigningKeysGrain>(poolId).GetPublishedAsync())?.Issuer;
}
