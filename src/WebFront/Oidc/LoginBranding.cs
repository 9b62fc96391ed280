using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The look the hosted page shows for one application, every value checked again here (a stored value that breaks
/// <see cref="BrandingRules"/> is dropped, never rendered). Colours reach the page only through the stylesheet ScanLogin
/// serves at <see cref="StylesheetUrl"/>, so the page's policy keeps style-src 'self' and no inline style or script.
/// </summary>
public sealed record LoginBranding(string? Title, string? Notice, LoginTheme Light, LoginTheme Dark, string Version, string StylesheetUrl)
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>
    /// The application's branding falling back to the pool's, field by field: an application's value wins over the pool's,
    /// and a dark value falls back to the same owner's light one (so an application's colour is never swapped for the
    /// pool's in dark mode). The light logo falls back to the application's own logo URL before the pool's. Null when
    /// nothing is branded: the page is then exactly ScanLogin's own.
    /// </summary>
    public static LoginBranding? Resolve(ApplicationSettings app, UserPoolSettings? pool, string? appLogoUrl = null)
    {
        var poolId = app.PoolId;
        var a = app.Branding ?? Branding.None;
        var p = pool?.Branding ?? Branding.None;
        string? AppLogo(BrandingTheme? t) => LogoSrc(t, poolId, app.AppId);
        string? PoolLogo(BrandingTheme? t) => LogoSrc(t, poolId, null);
        string? Color(Func<BrandingTheme, string?> pick, params BrandingTheme?[] themes) =>
            themes.Select(t => t is null ? null : BrandingRules.NormalizeColor(pick(t))).FirstOrDefault(c => c is not null);

        var light = new LoginTheme(
            Color(t => t.PrimaryColor, a.Light, p.Light),
            Color(t => t.BackgroundColor, a.Light, p.Light),
            AppLogo(a.Light) ?? appLogoUrl ?? PoolLogo(p.Light));
        var dark = new LoginTheme(
            Color(t => t.PrimaryColor, a.Dark, a.Light, p.Dark, p.Light),
            Color(t => t.BackgroundColor, a.Dark, a.Light, p.Dark, p.Light),
            AppLogo(a.Dark) ?? AppLogo(a.Light) ?? appLogoUrl ?? PoolLogo(p.Dark) ?? PoolLogo(p.Light));
        var title = new[] { a.Title, p.Title }.FirstOrDefault(BrandingRules.IsTitle)?.Trim();
        var notice = new[] { a.Notice, p.Notice }.FirstOrDefault(BrandingRules.IsNotice)?.Trim();
        if (title is null && notice is null && light.IsEmpty && dark.IsEmpty) return null;
        // A logo URL that is only the application's own (unbranded) logo does not brand the page by itself.
        if (title is null && notice is null && light.IsColorless && dark.IsColorless && light.LogoSrc == appLogoUrl && dark.LogoSrc == appLogoUrl) return null;

        var version = Secrets.Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($"{title}\n{notice}\n{light}\n{dark}")))[..16];
        return new LoginBranding(title, notice, light, dark, version,
            $"/oidc/{Uri.EscapeDataString(poolId)}/branding/{Uri.EscapeDataString(app.AppId)}.css?v={version}");
    }

    /// <summary>Where an uploaded logo is served, or the checked logo URL; null when the theme has neither.</summary>
    public static string? LogoSrc(BrandingTheme? theme, string poolId, string? appId) => theme switch
    {
        { LogoHash: { } hash } when BrandingRules.IsLogoHash(hash) => appId is null
            ? $"/oidc/{Uri.EscapeDataString(poolId)}/branding/logo/{hash}.png"
            : $"/oidc/{Uri.EscapeDataString(poolId)}/branding/{Uri.EscapeDataString(appId)}/logo/{hash}.png",
        { LogoUrl: { } url } when BrandingRules.IsLogoUrl(url) => url,
        _ => null,
    };

    /// <summary>The header's logo: one image, or a picture whose dark source the browser picks by prefers-color-scheme.</summary>
    public string LogoHtml()
    {
        if (Light.LogoSrc is null && Dark.LogoSrc is null) return "";
        var img = $"<img class=\"app-logo\" id=\"app-logo\" src=\"{Html.Encode(Light.LogoSrc ?? Dark.LogoSrc!)}\" alt=\"\" width=\"48\" height=\"48\">";
        if (Dark.LogoSrc is null || Dark.LogoSrc == Light.LogoSrc) return img;
        // A srcset splits on commas and spaces: checked URLs have neither, an uploaded logo's path never does.
        return $"<picture><source media=\"(prefers-color-scheme: dark)\" srcset=\"{Html.Encode(Dark.LogoSrc)}\">{img}</picture>";
    }

    /// <summary>The notice under the header, encoded; empty when there is none.</summary>
    public string NoticeHtml() => Notice is null ? "" : $"<p class=\"notice\" id=\"notice\">{Html.Encode(Notice)}</p>";

    /// <summary>
    /// The stylesheet: custom properties from checked colours only (anything else is dropped), a dark block under
    /// prefers-color-scheme, and the few rules that use them. Nothing an operator typed is copied in but #rgb/#rrggbb.
    /// </summary>
    public string Css()
    {
        var css = new StringBuilder();
        css.Append("/* ScanLogin: the hosted login's branding, generated from checked colours only. */\n");
        AppendProperties(css, ":root", Light, "");
        css.Append("@media (prefers-color-scheme: dark) {\n");
        AppendProperties(css, "  :root", Dark, "  ");
        css.Append("}\n");
        css.Append("""
            :root { --accent: var(--brand-primary, #07a35a); }
            body { background: var(--brand-background, #f3f5f7); }
            button, .same-phone .button { background: var(--accent); color: var(--brand-on-primary, #fff); }
            #login[data-state="scanned"] .qr img, #login[data-state="confirmed"] .qr img { border-color: var(--accent); }
            .notice { margin: 12px 0 0; padding: 8px 12px; border-left: 4px solid var(--accent); border-radius: 4px; background: #f6f8fa;
              color: var(--ink); text-align: left; font-size: .9rem; overflow-wrap: anywhere; }

            """);
        return css.ToString();
    }

    private static void AppendProperties(StringBuilder css, string selector, LoginTheme theme, string indent)
    {
        css.Append(selector).Append(" {\n");
        if (BrandingRules.NormalizeColor(theme.PrimaryColor) is { } primary)
        {
            css.Append(indent).Append("  --brand-primary: ").Append(primary).Append(";\n");
            css.Append(indent).Append("  --brand-on-primary: ").Append(IsLight(primary) ? "#1f2328" : "#ffffff").Append(";\n");
        }
        if (BrandingRules.NormalizeColor(theme.BackgroundColor) is { } background)
            css.Append(indent).Append("  --brand-background: ").Append(background).Append(";\n");
        css.Append(indent).Append("}\n");
    }

    /// <summary>Whether dark text reads better than white on this colour (WCAG relative luminance above the midpoint of contrast).</summary>
    public static bool IsLight(string color)
    {
        var hex = color.Length == 4 ? string.Concat(color[1..].Select(c => $"{c}{c}")) : color[1..];
        double Channel(int i)
        {
            var c = Convert.ToInt32(hex.Substring(i * 2, 2), 16) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        var luminance = 0.2126 * Channel(0) + 0.7152 * Channel(1) + 0.0722 * Channel(2);
        // Contrast with white is (1.05)/(L+0.05); with #1f2328 (L about 0.016) it is (L+0.05)/0.066: equal near L = 0.20.
        return luminance > 0.20;
    }
}

/// <summary>One colour scheme as the page shows it: checked colours and a logo source (or nulls).</summary>
public sealed record LoginTheme(string? PrimaryColor, string? BackgroundColor, string? LogoSrc)
{
    public bool IsEmpty => PrimaryColor is null && BackgroundColor is null && LogoSrc is null;

    public bool IsColorless => PrimaryColor is null && BackgroundColor is null;
}
