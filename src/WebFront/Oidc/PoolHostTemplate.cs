namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// ScanLogin:Oidc:PoolHostTemplate parsed: <c>{scheme}://{pool}{suffix}[:port]</c>. A host is a pool's when it is a pool id
/// (lowercase letters, digits and '-', 3 to 40, as the admin API makes them) followed by the suffix; the port is the proxy's.
/// </summary>
public sealed record PoolHostTemplate(string Scheme, string Suffix, string Port)
{
    private const string Placeholder = "{pool}";

    /// <summary>The template, or null when none is set; a template that cannot work stops the front end at start, naming the setting.</summary>
    public static PoolHostTemplate? Parse(string? template)
    {
        if (string.IsNullOrWhiteSpace(template)) return null;
        var scheme = template.StartsWith("https://", StringComparison.Ordinal) ? "https" : template.StartsWith("http://", StringComparison.Ordinal) ? "http" : null;
        var rest = scheme is null ? "" : template[(scheme.Length + 3)..].TrimEnd('/');
        if (scheme is null || !rest.StartsWith(Placeholder + ".", StringComparison.Ordinal) || rest.IndexOf(Placeholder, 1, StringComparison.Ordinal) >= 0
            || !Uri.TryCreate($"{scheme}://pool{rest[Placeholder.Length..]}", UriKind.Absolute, out var uri)
            || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0 || uri.HostNameType != UriHostNameType.Dns)
            throw new InvalidOperationException($"{PoolHostOptions.Section}:PoolHostTemplate must look like https://{Placeholder}.login.example.com: " +
                $"{Placeholder} as the host's first label, no path, query or credentials.");
        return new PoolHostTemplate(scheme, uri.Host[4..].ToLowerInvariant(), uri.IsDefaultPort ? "" : $":{uri.Port}");
    }

    /// <summary>The pool whose host <paramref name="host"/> (lowercase, without port) is, or null.</summary>
    public string? PoolOf(string host) =>
        host.Length > Suffix.Length && host.EndsWith(Suffix, StringComparison.Ordinal) && host[..^Suffix.Length] is var label && IsPoolLabel(label) ? label : null;

    /// <summary>The pool's issuer on its own host: scheme, host and the template's port, no path.</summary>
    public string IssuerOf(string poolId) => $"{Scheme}://{poolId}{Suffix}{Port}";

    private static bool IsPoolLabel(string label) =>
        label.Length is >= 3 and <= 40 && char.IsAsciiLetterOrDigit(label[0]) && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
