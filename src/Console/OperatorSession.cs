using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ScanLogin.OperatorConsole;

/// <summary>
/// The signed-in operator: the API key and what it reaches, kept only in the session cookie (encrypted and signed by Data
/// Protection, HttpOnly, SameSite=Strict, Secure over HTTPS). No page script ever sees the key.
/// </summary>
public static partial class OperatorSession
{
    public const string CookieName = "console_session";
    private const string KeyClaim = "scanlogin:key";
    private const string PoolClaim = "scanlogin:pool";

    /// <summary>The pool of a pool key (slk.{poolId}.{keyId}.{secret}); null for anything else (a platform key).</summary>
    public static string? PoolOf(string key) => PoolKey().Match(key) is { Success: true } m ? m.Groups[1].Value : null;

    public static Task SignInAsync(HttpContext http, string key)
    {
        var pool = PoolOf(key);
        var claims = new List<Claim> { new(ClaimTypes.Name, pool is null ? "platform" : "pool " + pool), new(KeyClaim, key) };
        if (pool is not null) claims.Add(new Claim(PoolClaim, pool));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, new AuthenticationProperties { IsPersistent = false });
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);

    public static string? KeyOf(ClaimsPrincipal user) => user.FindFirstValue(KeyClaim);

    /// <summary>The one pool a pool key reaches; null for the platform key.</summary>
    public static string? PoolScope(ClaimsPrincipal user) => user.FindFirstValue(PoolClaim);

    public static bool IsPlatform(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true && PoolScope(user) is null;

    [GeneratedRegex(@"^slk\.([^.]+)\.[^.]+\.[^.]+$")]
    private static partial Regex PoolKey();
}
