using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at /oidc/{poolId}/end_session: ends the browser's pool
/// session and sends it back to the application. <c>post_logout_redirect_uri</c> must be exactly one of the application's
/// registered callback URLs (the application is the id_token_hint's audience, or client_id), so it is never an open
/// redirect. A valid id_token_hint naming the session's user ends the session at once; anything else (no hint, another
/// user's) asks the user first with a same-origin form, since a cross-site page must not log people out.
/// </summary>
public static class EndSessionApi
{
    public static IEndpointRouteBuilder MapEndSessionApi(this IEndpointRouteBuilder app)
    {
        var oidc = app.MapGroup("/oidc/{poolId}").WithTags("OpenID Connect");
        oidc.MapGetAndFormPost("/end_session", EndSessionAsync, "EndSession",
            "RP-initiated logout: ends the pool session (id_token_hint, post_logout_redirect_uri from the application's callback URLs, state)");
        return app;
    }

    private static async Task<Results<HtmlPage, RedirectHttpResult>> EndSessionAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        IEnumerable<KeyValuePair<string, StringValues>> source = http.Request.Query;
        var post = HttpMethods.IsPost(http.Request.Method);
        if (post && http.Request.HasFormContentType && await OidcForms.TryReadAsync(http.Request) is { } form) source = form;
        var p = source.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var text = LoginText.For(LoginText.Resolve(Single(p, "ui_locales"), http.Request.Headers.AcceptLanguage));

        if (UnknownIds.RefusalOf(http) is { } tooMany)
        {
            tooMany.Apply(http);
            return Page(text, 429, tooMany.Message);
        }
        if (!HostedLoginApi.IsSafeId(poolId) || await http.RequestServices.GetRequiredService<UnknownIds>().PoolAsync(http, cluster, poolId) is null)
            return Page(text, 404, text.PoolNotFound);
        if (p.FirstOrDefault(kv => kv.Value.Count > 1) is { Key: { } repeated }) return Page(text, 400, string.Format(text.ParameterRepeated, repeated));

        IdTokenHint? hint = null;
        if (Single(p, "id_token_hint") is { } hintToken)
        {
            var read = hintToken.Length <= 8192 ? await cluster.GetGrain<ITokenIssuerGrain>(poolId).ReadIdTokenHintAsync(hintToken) : null;
            if (read?.Value is not { } valid) return Page(text, 400, text.IdTokenHintInvalid);
            hint = valid;
        }
        var clientId = Single(p, "client_id");
        if (hint is not null && clientId is not null && clientId != hint.ClientId)
            return Page(text, 400, text.ClientIdDiffersFromHint);
        clientId ??= hint?.ClientId;
        var redirectUri = Single(p, "post_logout_redirect_uri");
        if (redirectUri is not null)
        {
            var app = clientId is { Length: <= 64 } ? await cluster.GetGrain<IApplicationGrain>(clientId).GetAsync() : null;
            if (app is null || app.PoolId != poolId || !app.CallbackUrls.Contains(redirectUri, StringComparer.Ordinal))
                return Page(text, 400, text.LogoutRedirectNotRegistered);
        }
        var state = Single(p, "state");
        if (state is { Length: > 2048 }) return Page(text, 400, text.StateTooLong);

        var token = PoolSessionCookie.Read(http, poolId);
        var sessions = cluster.GetGrain<IPoolSessionsGrain>(poolId);
        var owner = token is null ? null : await sessions.OwnerAsync(token);
        // The user's own confirmation: a same-origin POST of the form below (SameSite=Lax keeps the cookie off cross-site POSTs).
        var confirmed = post && Single(p, "confirm") == "yes" && IsSameOrigin(http.Request);
        if (owner is not null && !confirmed && hint?.Subject != owner)
            return Confirm(text, http.Request.Path, p);
        if (token is not null)
        {
            await sessions.EndAsync(token);
            PoolSessionCookie.Delete(http, poolId);
        }
        if (redirectUri is null) return Page(text, 200, text.SignedOut, "signed-out");
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Redirect(state is null ? redirectUri : QueryHelpers.AddQueryString(redirectUri, "state", state));
    }

    private static bool IsSameOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin
        || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private static string? Single(Dictionary<string, StringValues> p, string name) =>
        p.TryGetValue(name, out var values) && values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;

    private static HtmlPage Confirm(LoginText text, string path, Dictionary<string, StringValues> p)
    {
        var html = HtmlEncoder.Default;
        var fields = string.Concat(new[] { "id_token_hint", "post_logout_redirect_uri", "state", "client_id", "ui_locales" }
            .Where(name => Single(p, name) is not null)
            .Select(name => $"<input type=\"hidden\" name=\"{name}\" value=\"{html.Encode(Single(p, name)!)}\">"));
        return new HtmlPage(Document(text, text.SignOut, $"""
            <main class="card" id="end-session" aria-labelledby="title">
              <h1 id="title">{html.Encode(text.SignOutQuestion)}</h1>
              <p>{html.Encode(text.SignOutExplain)}</p>
              <form method="post" action="{html.Encode(path)}">{fields}<input type="hidden" name="confirm" value="yes">
                <button type="submit" id="confirm-sign-out">{html.Encode(text.SignOut)}</button>
              </form>
            </main>
            """), 200);
    }

    private static HtmlPage Page(LoginText text, int status, string message, string id = "end-session-error") =>
        new HtmlPage(Document(text, message, $"""
            <main class="card" id="{id}" aria-labelledby="title"><h1 id="title">{HtmlEncoder.Default.Encode(message)}</h1></main>
            """), status);

    private static string Document(LoginText t, string title, string body) => $"""
        <!doctype html>
        <html lang="{t.Lang}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{HtmlEncoder.Default.Encode(title)}</title>
        <link rel="stylesheet" href="/oidc/assets/login.css">
        </head>
        <body>
        {body}
        </body>
        </html>
        """;

    /// <summary>An HTML answer with the hosted pages' security headers (form-action 'self': the confirmation posts here only).</summary>
    public sealed class HtmlPage(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            LoginPageHeaders.Apply(httpContext.Response);
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            return httpContext.Response.WriteAsync(html);
        }
    }
}
