using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The one place a request's issuer is decided: on a pool's own host (<see cref="PoolHosts"/>: the template's host or a verified
/// custom domain) the issuer is that host; everywhere else it is the path form {ScanLogin:Oidc:PublicBaseUrl}/oidc/{poolId}, as
/// the silos publish it. Discovery, the authorization response's iss, the tokens and userinfo all ask here.
/// </summary>
public static class OidcIssuer
{
    /// <summary>The pool's path-form issuer, as the silos publish it (null when the pool does not exist).</summary>
    public static async Task<string?> OfAsync(IClusterClient cluster, string poolId) =>
        (await cluster.GetGrain<IPoolSigningKeysGrain>(poolId).GetPublishedAsync())?.Issuer;

    /// <summary>The issuer of this request for the pool: its own host's when the request came through it, else the path form.</summary>
    public static async Task<string?> ForAsync(HttpContext http, IClusterClient cluster, string poolId) =>
        HostIssuerOf(http, poolId) ?? await OfAsync(cluster, poolId);

    /// <summary>As <see cref="ForAsync"/>, when the path-form issuer is already at hand.</summary>
    public static string For(HttpContext http, string poolId, string pathFormIssuer) => HostIssuerOf(http, poolId) ?? pathFormIssuer;

    /// <summary>The issuer of the pool's own host this request came through, or null for the path form (tokens then carry the silos' default).</summary>
    public static string? HostIssuerOf(HttpContext http, string poolId) =>
        PoolHosts.MatchOf(http) is { } host && host.PoolId == poolId ? host.Issuer : null;

    /// <summary>Where the pool's endpoints are on this request's host, for the browser: "" on its own host, else /oidc/{poolId}.</summary>
    public static string PathOf(HttpContext http, string poolId) =>
        HostIssuerOf(http, poolId) is not null ? "" : $"/oidc/{Uri.EscapeDataString(poolId)}";
}
