using System.Text.Encodings.Web;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// A look at an application's branded login card without a login: no ticket is opened and no script runs (a grey square
/// stands in for the QR code). Served with the hosted page's own security headers, so what the operator sees is what the
/// policy lets through. The browser's colour scheme picks light or dark, as on the real page.
/// </summary>
public static class BrandingPreviewPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;
    private const string Placeholder = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E%3Crect width='10' height='10' fill='%23d0d7de'/%3E%3C/svg%3E";

    public static string Render(LoginText t, string appName, string? appLogoUrl, LoginBranding? branding, string state)
    {
        var title = branding?.Title ?? string.Format(t.Title, appName);
        var logo = branding is not null ? branding.LogoHtml()
            : appLogoUrl is null ? "" : $"<img class=\"app-logo\" src=\"{Html.Encode(appLogoUrl)}\" alt=\"\" width=\"48\" height=\"48\">";
        var (status, expired) = state switch
        {
            "scanned" => (t.Scanned, false),
            "expired" => (t.Expired, true),
            _ => (t.Pending, false),
        };
        return $"""
            <!doctype html>
            <html lang="{t.Lang}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{Html.Encode(title)}</title>
            <link rel="stylesheet" href="/oidc/assets/login.css">
            {(branding is null ? "" : $"<link rel=\"stylesheet\" href=\"{Html.Encode(branding.StylesheetUrl)}\">")}
            </head>
            <body>
            <main class="card" id="login" data-state="{(expired ? "expired" : state == "scanned" ? "scanned" : "pending")}" aria-labelledby="title">
              <header class="app">
                {logo}
                <h1 id="title">{Html.Encode(title)}</h1>
                <p class="source">{Html.Encode(string.Format(t.With, "WeChat"))}</p>
              </header>
              {branding?.NoticeHtml()}
              <div class="qr" id="qr-box">
                <img id="qr" src="{Placeholder}" width="240" height="240" alt=""{(expired ? " class=\"faded\"" : "")}>
                <div class="veil" id="veil"{(expired ? "" : " hidden")}><button id="refresh" type="button" disabled>{Html.Encode(t.Refresh)}</button></div>
              </div>
              <p id="status" class="status">{Html.Encode(status)}</p>
              <nav class="links"><a href="?state=pending">pending</a> <a href="?state=scanned">scanned</a> <a href="?state=expired">expired</a></nav>
            </main>
            </body>
            </html>
            """;
    }
}
