using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScanLogin.WebFront.Oidc;

/// <summary>The hosted login's HTML: server-rendered, every value encoded, behaviour in /oidc/assets/login.js.</summary>
public static class LoginPages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>The QR page of one login, in the state its ticket is in when the page loads (the script follows it from there).</summary>
    public static string Login(LoginText t, LoginPageModel m)
    {
        var title = m.Branding?.Title ?? string.Format(t.Title, m.AppName);
        var data = JsonSerializer.Serialize(new
        {
            ticketId = m.TicketId,
            renewUrl = m.BasePath + "/renew",
            completeUrl = m.BasePath + "/complete",
            bindingUrl = m.BasePath + "/binding",
            transport = m.Transport,
            text = new
            {
                t.Pending, t.Scanned, t.ScannedBy, t.Confirmed, t.Expired, t.Cancelled, t.AccountNotFound, t.Blocked,
                t.BindingRequired, t.Refused, t.Failed, t.TimedOut, t.BindingWrong, t.BindingLocked, t.BindingTaken, t.BindingInvalid,
                t.BindingCodeWrong, t.SelfDeclared,
            },
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Default });
        var body = new StringBuilder();
        body.Append($"""
            <main class="card" id="login" data-state="pending" aria-labelledby="title">
              <header class="app">
                {(m.Branding is { } branded ? branded.LogoHtml() : m.AppLogoUrl is { } logo ? $"<img class=\"app-logo\" src=\"{Html.Encode(logo)}\" alt=\"\" width=\"48\" height=\"48\">" : "")}
                <h1 id="title">{Html.Encode(title)}</h1>
                <p class="source">{Html.Encode(string.Format(t.With, m.IdentitySourceName))}</p>
              </header>
              {m.Branding?.NoticeHtml()}
              <div class="qr" id="qr-box">
                <img id="qr" src="/api/tickets/{Html.Encode(m.TicketId)}/qr.png?size=240" width="240" height="240" alt="{Html.Encode(t.QrAlt)}">
                <div class="veil" id="veil" hidden>
                  <button id="refresh" type="button">{Html.Encode(t.Refresh)}</button>
                </div>
              </div>
              {(m.OnPhone ? $"<p class=\"same-phone\" id=\"same-phone\" hidden><a id=\"open-in-wechat\" class=\"button\" href=\"#\" data-link=\"{Html.Encode(SameDeviceLogin.LinkPath(m.TicketId))}\">{Html.Encode(t.OpenInWeChat)}</a><span class=\"hint\">{Html.Encode(t.OpenInWeChatHint)}</span></p>" : "")}
              <div class="scanner" id="scanner" hidden>
                <span id="nickname"></span>
              </div>
              <p id="status" class="status" role="status" aria-live="polite">{Html.Encode(t.Pending)}</p>
              <section id="binding" class="binding" hidden aria-labelledby="binding-title">
                <h2 id="binding-title">{Html.Encode(t.BindingTitle)}</h2>
                <p>{Html.Encode(t.BindingIntro)}</p>
                <label for="bind-code">{Html.Encode(t.BindingCode)}</label>
                <input id="bind-code" name="bindingCode" inputmode="numeric" maxlength="6" autocomplete="one-time-code" aria-describedby="bind-code-hint">
                <p id="bind-code-hint" class="hint">{Html.Encode(t.BindingCodeHint)}</p>
                <form id="bind-existing" aria-labelledby="bind-existing-title">
                  <h3 id="bind-existing-title">{Html.Encode(t.BindingExistingTitle)}</h3>
                  <label for="bind-account">{Html.Encode(t.BindingAccount)}</label>
                  <input id="bind-account" name="account" autocomplete="username" required maxlength="254">
                  <label for="bind-password">{Html.Encode(t.BindingPassword)}</label>
                  <input id="bind-password" name="password" type="password" autocomplete="current-password" required maxlength="128">
                  <button type="submit">{Html.Encode(t.BindingSignIn)}</button>
                </form>
                <form id="bind-new" hidden aria-labelledby="bind-new-title">
                  <h3 id="bind-new-title">{Html.Encode(t.BindingNewTitle)}</h3>
                  <label for="new-username">{Html.Encode(t.BindingNewUsername)}</label>
                  <input id="new-username" name="username" autocomplete="username" maxlength="64">
                  <label for="new-password">{Html.Encode(t.BindingNewPassword)}</label>
                  <input id="new-password" name="password" type="password" autocomplete="new-password" maxlength="128">
                  <button type="submit">{Html.Encode(t.BindingCreate)}</button>
                </form>
                <p id="binding-error" class="binding-error" role="alert"></p>
              </section>
              <nav class="links" aria-label="{Html.Encode(t.MoreLinks)}">
                <a id="abort" href="{Html.Encode(m.BasePath)}/abort">{Html.Encode(string.Format(t.CancelAndReturn, m.AppName))}</a>
                <a id="language" href="{Html.Encode(m.BasePath)}?ui_locales={t.OtherLanguageCode}" lang="{t.OtherLanguageCode}" hreflang="{t.OtherLanguageCode}">{Html.Encode(t.OtherLanguage)}</a>
              </nav>
            </main>
            <script id="login-data" type="application/json">{data}</script>
            """);
        return Document(t, title, body.ToString(), withScript: "login.js", stylesheet: m.Branding?.StylesheetUrl);
    }

    /// <summary>A readable error, never a redirect: used when the client or redirect URI cannot be trusted.</summary>
    public static string Error(LoginText t, string message, string? detail = null) =>
        Document(t, t.ErrorTitle, $"""
            <main class="card error" id="error" aria-labelledby="title">
              <h1 id="title">{Html.Encode(t.ErrorTitle)}</h1>
              <p class="status" role="alert">{Html.Encode(message)}</p>
              {(detail is null ? "" : $"<p class=\"detail\"><code>{Html.Encode(detail)}</code></p>")}
            </main>
            """);

    /// <summary>Pop-up mode: hands the result to the opener (for the one allowed origin) and closes.</summary>
    public static string PopupResult(LoginText t, string targetOrigin, IReadOnlyDictionary<string, string?> result)
    {
        var data = JsonSerializer.Serialize(new { targetOrigin, result }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Default });
        return Document(t, t.PopupDone, $"""
            <main class="card" id="popup-result" aria-labelledby="title">
              <h1 id="title">{Html.Encode(t.PopupDone)}</h1>
            </main>
            <script id="popup-data" type="application/json">{data}</script>
            """, withScript: "popup.js");
    }

    /// <summary>response_mode=form_post: a form to the redirect URI, sent by /oidc/assets/form-post.js (a button without script).</summary>
    public static string FormPost(LoginText t, string redirectUri, IReadOnlyDictionary<string, string?> result)
    {
        var fields = string.Concat(result.Where(kv => kv.Value is not null)
            .Select(kv => $"<input type=\"hidden\" name=\"{Html.Encode(kv.Key)}\" value=\"{Html.Encode(kv.Value!)}\">"));
        return Document(t, t.Confirmed, $"""
            <main class="card" id="form-post-result" aria-labelledby="title">
              <h1 id="title">{Html.Encode(t.Confirmed)}</h1>
              <form method="post" action="{Html.Encode(redirectUri)}" id="form-post">{fields}
                <noscript><button type="submit">{Html.Encode(t.FormPostSubmit)}</button></noscript>
              </form>
            </main>
            """, withScript: "form-post.js");
    }

    private static string Document(LoginText t, string title, string body, string? withScript = null, string? stylesheet = null) => $"""
        <!doctype html>
        <html lang="{t.Lang}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Html.Encode(title)}</title>
        <link rel="stylesheet" href="/oidc/assets/login.css">
        {(stylesheet is null ? "" : $"<link rel=\"stylesheet\" href=\"{Html.Encode(stylesheet)}\">")}
        {(withScript is null ? "" : $"<script src=\"/oidc/assets/{withScript}\" defer></script>")}
        </head>
        <body>
        {body}
        </body>
        </html>
        """;
}

/// <summary>What the QR page shows.</summary>
public sealed record LoginPageModel(string BasePath, string AppName, string? AppLogoUrl, string IdentitySourceName, string TicketId, string Transport,
    bool OnPhone = false, LoginBranding? Branding = null);
