using System.Text.RegularExpressions;

namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// What a branding value may be. Strict on purpose: colours are only #rgb or #rrggbb (never a CSS expression), texts are
/// short plain text (encoded wherever shown), logo URLs are https only and carry nothing that could end a CSS or srcset value.
/// </summary>
public static partial class BrandingRules
{
    public const int MaxTitleLength = 60;
    public const int MaxNoticeLength = 200;
    public const int MaxLogoUrlLength = 2048;

    public static bool IsColor(string? value) => value is not null && ColorPattern().IsMatch(value);

    public static bool IsTitle(string? value) => IsShortText(value, MaxTitleLength);

    public static bool IsNotice(string? value) => IsShortText(value, MaxNoticeLength);

    /// <summary>An absolute https URL without credentials, whitespace, quotes, commas or brackets (it may end up in srcset or CSS).</summary>
    public static bool IsLogoUrl(string? value) =>
        value is { Length: > 0 and <= MaxLogoUrlLength } && value.All(c => c is > ' ' and < (char)127 && c is not ('"' or '\'' or ',' or '(' or ')' or '\\' or '<' or '>'))
        && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && string.IsNullOrEmpty(uri.UserInfo)
        && uri.Host.Length > 0;

    /// <summary>The name an uploaded logo gets from its content (16 base64url characters).</summary>
    public static bool IsLogoHash(string? value) => value is not null && LogoHashPattern().IsMatch(value);

    /// <summary>A colour as stored: lowercase, as given (#rgb stays #rgb).</summary>
    public static string? NormalizeColor(string? value) => IsColor(value) ? value!.ToLowerInvariant() : null;

    /// <summary>Every rule broken by <paramref name="branding"/>, as (field below <paramref name="prefix"/>, rule) pairs.</summary>
    public static IEnumerable<(string Field, string Rule)> Check(string prefix, string? title, string? notice,
        (string? Primary, string? Background, string? LogoUrl)? light, (string? Primary, string? Background, string? LogoUrl)? dark)
    {
        if (title is not null && !IsTitle(title)) yield return ($"{prefix}.title", $"1 to {MaxTitleLength} characters of plain text on one line.");
        if (notice is not null && !IsNotice(notice)) yield return ($"{prefix}.notice", $"1 to {MaxNoticeLength} characters of plain text on one line.");
        foreach (var (scheme, theme) in new[] { ("light", light), ("dark", dark) })
        {
            if (theme is not { } t) continue;
            if (t.Primary is not null && !IsColor(t.Primary)) yield return ($"{prefix}.{scheme}.primaryColor", "A colour as #rgb or #rrggbb.");
            if (t.Background is not null && !IsColor(t.Background)) yield return ($"{prefix}.{scheme}.backgroundColor", "A colour as #rgb or #rrggbb.");
            if (t.LogoUrl is not null && !IsLogoUrl(t.LogoUrl))
                yield return ($"{prefix}.{scheme}.logoUrl", $"An absolute https URL, at most {MaxLogoUrlLength} characters, without credentials, spaces, quotes, commas or brackets.");
        }
    }

    private static bool IsShortText(string? value, int max) =>
        value is not null && value.Trim().Length is > 0 && value.Length <= max && GrainKeys.IsSafeText(value) && !value.Any(c => c is '\u2028' or '\u2029');

    [GeneratedRegex(@"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\z")] // \z: "$" would let a trailing newline through
    private static partial Regex ColorPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{16}\z")]
    private static partial Regex LogoHashPattern();
}
