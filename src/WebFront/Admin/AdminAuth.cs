using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>Who is calling the admin API: the platform (every pool) or one pool's key.</summary>
public sealed record Operator(Actor Actor, string? PoolId)
{
    public bool IsPlatform => PoolId is null;

    /// <summary>A pool key sees only its own pool; anything else answers as if it did not exist.</summary>
    public bool CanSee(string poolId) => IsPlatform || PoolId == poolId;
}

/// <summary>Admin settings (section "ScanLogin:Admin").</summary>
public sealed class AdminOptions
{
    public const string Section = "ScanLogin:Admin";

    /// <summary>Hashes of the accepted platform keys (see <see cref="AdminAuth.HashPlatformKey"/>); several allow rotation.</summary>
    public string[] PlatformKeyHashes { get; set; } = [];

    /// <summary>Browser origins allowed to call the admin API cross-origin (CORS). None by default: operators' tools call it from servers.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>Bearer API keys, stored hashed and compared in constant time.</summary>
public static class AdminAuth
{
    private const string ItemKey = "scanlogin.operator";

    public static string HashPlatformKey(string key) => Secrets.Hash("platform-key", key);

    /// <summary>
    /// Authenticates every request under /admin/v1 before anything else happens to it: 401 without a valid key, before
    /// the body is read, the route is matched or the content type is looked at; the operator in the request otherwise.
    /// </summary>
    public static IApplicationBuilder UseAdminAuthentication(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/admin/v1"), admin => admin.Use(async (http, next) =>
        {
            var found = await AuthenticateAsync(http);
            if (found is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiProblems.Problem(StatusCodes.Status401Unauthorized, "unauthorized", "Send a platform or pool API key as Authorization: Bearer <key>.")
                    .ExecuteAsync(http);
                return;
            }
            http.Items[ItemKey] = found;
            await next(http);
        }));

    public static Operator GetOperator(this HttpContext http) => (Operator)http.Items[ItemKey]!;

    private static async Task<Operator?> AuthenticateAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 256) return null;

        if (PoolApiKey.TryParse(key, out var poolId, out var keyId, out var secret) && GrainKeys.IsSafe(poolId))
        {
            var valid = await http.RequestServices.GetRequiredService<IClusterClient>().GetGrain<IUserPoolGrain>(poolId).VerifyApiKeyAsync(keyId, secret);
            return valid ? new Operator(new Actor("pool-key", keyId), poolId) : null;
        }

        var hash = HashPlatformKey(key);
        var platform = http.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.PlatformKeyHashes;
        return platform.Any(h => Secrets.FixedTimeEquals(h, hash)) ? new Operator(Actor.Platform, null) : null;
    }
}
