namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// Security headers of every hosted-login page: a CSP with scripts from this origin only (no inline script), framing only
/// by the application's allowed origins, no referrer (the URL carries the request id), and no caching.
/// </summary>
public static class LoginPageHeaders
{
    public static void Apply(HttpResponse response, IEnumerable<string>? frameAncestors = null, string? extraImageSource = null, string? formTarget = null)
    {
        var ancestors = (frameAncestors ?? []).Where(IsPlainOrigin).ToArray();
        var headers = response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
            $"img-src 'self' data: https:{(extraImageSource is { } extra && IsPlainOrigin(extra) ? " " + extra : "")}; " +
            $"form-action {(formTarget is { } target && IsPlainOrigin(target) ? target : "'self'")}; base-uri 'none'; " +
            $"frame-ancestors {(ancestors.Length > 0 ? string.Join(' ', ancestors) : "'none'")}";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
    }

    /// <summary>Only scheme://host[:port] may enter the policy, so a stored value can never add a directive.</summary>
    public static bool IsPlainOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
        && string.Equals(value.TrimEnd('/'), uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
        && value.All(c => c > ' ' && c < 127 && c is not (';' or ',' or '\'' or '"'));

    public static string? OriginOf(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri.GetLeftPart(UriPartial.Authority) : null;
}
