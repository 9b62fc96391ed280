namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// How the hosted login page looks for an application (or, as the fallback, for every application of a pool): a title and a
/// short notice, and colours and a logo for light and for dark colour schemes. Every member is optional; an unset one falls
/// back (application, then pool, then ScanLogin's own look). Values are checked by <see cref="BrandingRules"/> when set and
/// again when rendered, so a stored value can never add CSS or HTML of its own.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Branding")]
public sealed record Branding(
    [property: Id(0)] string? Title = null,
    [property: Id(1)] string? Notice = null,
    [property: Id(2)] BrandingTheme? Light = null,
    [property: Id(3)] BrandingTheme? Dark = null)
{
    public static readonly Branding None = new();

    /// <summary>The theme of <paramref name="dark"/> colour scheme, or null.</summary>
    public BrandingTheme? ThemeOf(bool dark) => dark ? Dark : Light;
}

/// <summary>
/// One colour scheme's look: colours as #rgb or #rrggbb, and a logo, either an https URL or an uploaded image named by
/// <see cref="LogoHash"/> (set only by the logo upload; an uploaded logo wins over the URL).
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.BrandingTheme")]
public sealed record BrandingTheme(
    [property: Id(0)] string? PrimaryColor = null,
    [property: Id(1)] string? BackgroundColor = null,
    [property: Id(2)] string? LogoUrl = null,
    [property: Id(3)] string? LogoHash = null);
