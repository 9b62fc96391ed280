using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Admin;

/// <summary>
/// <c>branding</c> on application and pool requests: replaced as a whole when sent (send <c>{}</c> to clear it). Uploaded
/// logos are not part of it (PUT .../branding/{light|dark}/logo); they stay when the rest changes.
/// </summary>
public sealed record BrandingRequest(string? Title = null, string? Notice = null, BrandingThemeRequest? Light = null, BrandingThemeRequest? Dark = null)
{
    /// <summary>The request that would store <paramref name="stored"/> again (for merge patches).</summary>
    public static BrandingRequest? From(Branding? stored) => stored is null ? null
        : new BrandingRequest(stored.Title, stored.Notice, BrandingThemeRequest.From(stored.Light), BrandingThemeRequest.From(stored.Dark));

    /// <summary>The branding to store: colours lowercased, texts trimmed, the uploaded logos of <paramref name="stored"/> kept; null when empty.</summary>
    public static Branding? ToBranding(BrandingRequest? request, Branding? stored)
    {
        if (request is null) return null;
        var branding = new Branding(request.Title?.Trim(), request.Notice?.Trim(),
            BrandingThemeRequest.ToTheme(request.Light, stored?.Light?.LogoHash), BrandingThemeRequest.ToTheme(request.Dark, stored?.Dark?.LogoHash));
        return branding == Branding.None ? null : branding;
    }
}

/// <summary>One colour scheme: <c>primaryColor</c> and <c>backgroundColor</c> as #rgb or #rrggbb, <c>logoUrl</c> an https URL.</summary>
public sealed record BrandingThemeRequest(string? PrimaryColor = null, string? BackgroundColor = null, string? LogoUrl = null)
{
    public static BrandingThemeRequest? From(BrandingTheme? theme) => theme is null ? null : new(theme.PrimaryColor, theme.BackgroundColor, theme.LogoUrl);

    public static BrandingTheme? ToTheme(BrandingThemeRequest? request, string? uploadedLogo)
    {
        var theme = new BrandingTheme(BrandingRules.NormalizeColor(request?.PrimaryColor), BrandingRules.NormalizeColor(request?.BackgroundColor),
            request?.LogoUrl, uploadedLogo);
        return theme == new BrandingTheme() ? null : theme;
    }
}

/// <summary>The branding rules as admin validation, each failure named by its field (<c>branding.light.primaryColor</c>).</summary>
public static class BrandingValidation
{
    public static void Branding(this AdminValidation validation, string field, BrandingRequest? request)
    {
        if (request is null) return;
        static (string?, string?, string?)? Theme(BrandingThemeRequest? t) => t is null ? null : (t.PrimaryColor, t.BackgroundColor, t.LogoUrl);
        foreach (var (name, rule) in BrandingRules.Check(field, request.Title, request.Notice, Theme(request.Light), Theme(request.Dark)))
            validation.Fail(name, rule);
    }
}
