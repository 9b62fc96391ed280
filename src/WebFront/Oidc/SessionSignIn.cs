using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The authorize endpoint's question to the pool session, before any QR ticket is opened: prompt (none, login) and max_age
/// as the client sent them, the browser's session cookie, and the answer from the pool's sessions grain (which decides).
/// </summary>
public static class SessionSignIn
{
    /// <summary>prompt and max_age read from the request; an error description when they are malformed.</summary>
    public sealed record Asked(bool None, bool Login, int? MaxAgeSeconds, string? Error);

    public static Asked Read(string? prompt, string? maxAge)
    {
        var prompts = (prompt ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (prompts.Any(x => x is not ("none" or "login" or "consent" or "select_account"))) return new(false, false, null, "Unknown prompt value.");
        // OpenID Connect Core 3.1.2.1: none with any other value is an error.
        if (prompts.Contains("none") && prompts.Length > 1) return new(false, false, null, "prompt=none cannot be combined with other values.");
        int? seconds = null;
        if (maxAge is not null)
        {
            if (!int.TryParse(maxAge, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                return new(false, false, null, "max_age must be a non-negative number of seconds.");
            seconds = parsed;
        }
        return new(prompts.Contains("none"), prompts.Contains("login"), seconds, null);
    }

    /// <summary>
    /// The completed sign-in when the session answers it; a <c>login_required</c> failure for prompt=none without a usable
    /// session; null when the QR page must be shown.
    /// </summary>
    public static async Task<Outcome<AuthorizationCompletion>?> TryAsync(HttpContext http, IClusterClient cluster, AuthorizationRequest request, Asked asked)
    {
        var token = PoolSessionCookie.Read(http, request.PoolId);
        if (asked.Login || token is null && !asked.None) return null;
        if (token is null) return new Failure(AuthorizationFailures.LoginRequired, "The user has no session here; prompt=none cannot show the QR login.");
        var outcome = await cluster.GetGrain<IAuthorizationGrain>(Secrets.NewId()).StartFromSessionAsync(request,
            new SessionQuery(token, asked.None, asked.Login, asked.MaxAgeSeconds));
        return outcome.Failure?.Code == AuthorizationFailures.ScanNeeded ? null : outcome;
    }
}
