using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The browser's side of a pool session: an HttpOnly, host-only (no Domain), SameSite=Lax cookie holding an opaque random
/// token, Secure over https. One cookie per pool (its name carries the pool id), so pools sharing the path form's host keep
/// separate sessions, and a pool host's cookie never reaches another host. A cross-site POST does not carry it (Lax).
/// </summary>
public static class PoolSessionCookie
{
    private const string Prefix = "scanlogin_session_";

    public static string NameOf(string poolId) => Prefix + poolId;

    public static string? Read(HttpContext http, string poolId) =>
        http.Request.Cookies[NameOf(poolId)] is { Length: > 0 and <= 64 } token ? token : null;

    public static void Write(HttpContext http, string poolId, SessionOpened session) =>
        http.Response.Cookies.Append(NameOf(poolId), session.Token, Options(http, session.ExpiresAt));

    public static void Delete(HttpContext http, string poolId) => http.Response.Cookies.Delete(NameOf(poolId), Options(http, null));

    private static CookieOptions Options(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
