namespace ScanLogin.Grains.Interfaces;

/// <summary>What a pool's custom domain may be: a DNS name of two labels or more, lowercase, without port, dot or IP literal.</summary>
public static class CustomDomains
{
    /// <summary>Where the pool's domain must serve its challenge token (plain HTTP on port 80, as ACME's http-01).</summary>
    public const string ChallengePath = "/.well-known/scanlogin-challenge/";

    /// <summary>The domain in its one spelling (lowercase, no trailing dot), or null when it is not a host name a pool may claim.</summary>
    public static string? Normalize(string? domain)
    {
        if (domain is null) return null;
        var name = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Length is < 4 or > 253) return null;
        var labels = name.Split('.');
        if (labels.Length < 2) return null;
        foreach (var label in labels)
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
                return null;
        // An all-digit last label is an IPv4 address, not a name.
        return labels[^1].All(char.IsAsciiDigit) ? null : name;
    }
}
