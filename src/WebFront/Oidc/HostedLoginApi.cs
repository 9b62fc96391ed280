using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.RateLimits;
using LoginAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<ScanLogin.WebFront.Oidc.HostedLoginApi.HtmlPage,
    Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult, Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult>;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The hosted login of each pool: GET /oidc/{poolId}/authorize validates an OpenID Connect code request, opens a QR ticket bound
/// to this browser (an HttpOnly cookie holds the ticket's browser secret) and sends the browser to the QR page, which follows
/// the ticket and, once the phone confirms, comes back here for the authorization code.
/// </summary>
public static partial class HostedLoginApi
{
    public static readonly string[] SupportedScopes = ["openid", "profile", "phone", "offline_access"];
    private const string CookiePrefix = "scanlogin_login_";

    public static IEndpointRouteBuilder MapHostedLoginApi(this IEndpointRouteBuilder app)
    {
        var oidc = app.MapGroup("/oidc/{poolId}").WithTags("OpenID Connect");
        oidc.MapGetAndFormPost("/authorize", AuthorizeAsync, "Authorize",
            "OpenID Connect authorization endpoint (code flow, PKCE S256): shows the hosted QR login page");
        var login = oidc.MapGroup("/login/{requestId}").ExcludeFromDescription();
        login.MapGet("/", ShowLoginAsync);
        login.MapPost("/renew", RenewAsync);
        login.MapGet("/complete", CompleteAsync);
        login.MapGet("/abort", AbortAsync);
        app.MapHostedBindingApi();
        app.MapHostedBrandingApi();
        return app;
    }

    private static async Task<LoginAnswer> AuthorizeAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        IEnumerable<KeyValuePair<string, StringValues>> parameters = http.Request.Query;
        // Only a POST carries the request in its body (OpenID Connect Core 3.1.2.1); a GET's body is ignored.
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            if (await OidcForms.TryReadAsync(http.Request) is not { } form)
            {
                var plain = LoginText.For(LoginText.Resolve(null, http.Request.Headers.AcceptLanguage));
                return ErrorPage(plain, 400, plain.FormUnreadable, "invalid_request");
            }
            parameters = form;
        }
        var p = parameters.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var text = LoginText.For(LoginText.Resolve(Single(p, "ui_locales"), http.Request.Headers.AcceptLanguage));

        // Until client and redirect URI are trusted, every error is a page here: never a redirect anywhere.
        // Pool and client ids are the caller's to invent: ids the cluster lately did not know are answered from memory, and
        // an address that named too many of them is refused before any lookup.
        if (UnknownIds.RefusalOf(http) is { } tooManyUnknown)
        {
            tooManyUnknown.Apply(http);
            return ErrorPage(text, 429, tooManyUnknown.Message, AbuseLimits.RateLimited);
        }
        var unknownIds = http.RequestServices.GetRequiredService<UnknownIds>();
        if (!IsSafeId(poolId) || await unknownIds.PoolAsync(http, cluster, poolId) is null)
            return ErrorPage(text, 404, text.PoolNotFound, "invalid_request");
        if (p.TryGetValue("client_id", out var clientIds) && clientIds.Count > 1 || p.TryGetValue("redirect_uri", out var uris) && uris.Count > 1)
            return ErrorPage(text, 400, text.ClientOrRedirectRepeated, "invalid_request");
        var clientId = Single(p, "client_id");
        var app = clientId is { Length: > 0 and <= 64 } ? await unknownIds.ApplicationAsync(http, cluster, clientId) : null;
        if (app is null || app.PoolId != poolId)
            return ErrorPage(text, 400, text.UnknownClient, "invalid_client");
        var redirectUri = Single(p, "redirect_uri");
        if (redirectUri is null || !app.CallbackUrls.Contains(redirectUri, StringComparer.Ordinal)
            && !await Admin.TryLoginApi.AdmitsAsync(cluster, poolId, app.AppId, redirectUri, Single(p, "state"), Single(p, "code_challenge")))
            return ErrorPage(text, 400, text.RedirectUriNotRegistered, "invalid_request");

        var state = Single(p, "state");
        var issuer = await OidcIssuer.ForAsync(http, cluster, poolId) ?? "";
        var popup = Single(p, "display") == "popup";
        var formPost = Single(p, "response_mode") == "form_post";
        var targetOrigin = LoginPageHeaders.OriginOf(redirectUri)!;
        LoginAnswer Fail(string error, string description) => ErrorResult(text, popup && app.AllowedOrigins.Contains(targetOrigin, StringComparer.OrdinalIgnoreCase),
            formPost, targetOrigin, redirectUri, error, description, state, issuer, http.Response, app.AllowedOrigins);

        if (p.FirstOrDefault(kv => kv.Value.Count > 1) is { Key: { } repeated })
            return Fail("invalid_request", $"{repeated} is repeated.");
        if (p.ContainsKey("request") || p.ContainsKey("request_uri"))
            return Fail(p.ContainsKey("request") ? "request_not_supported" : "request_uri_not_supported", "Request objects are not supported.");
        if (Single(p, "response_type") != "code") return Fail("unsupported_response_type", "Only response_type=code is supported.");
        if (Single(p, "response_mode") is { } mode && mode is not ("query" or "form_post"))
            return Fail("invalid_request", "response_mode must be query or form_post.");
        if (state is { Length: > 2048 }) return Fail("invalid_request", "state is longer than 2048 characters.");
        var nonce = Single(p, "nonce");
        if (nonce is { Length: > 512 }) return Fail("invalid_request", "nonce is longer than 512 characters.");
        var scopes = (Single(p, "scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
        if (!scopes.Contains("openid")) return Fail("invalid_scope", "scope must include openid.");
        if (scopes.FirstOrDefault(s => !SupportedScopes.Contains(s)) is { } unknown) return Fail("invalid_scope", $"Unsupported scope {unknown}.");
        var challenge = Single(p, "code_challenge");
        var method = Single(p, "code_challenge_method");
        if (challenge is null && method is not null) return Fail("invalid_request", "code_challenge_method without code_challenge.");
        if (challenge is not null && method != "S256") return Fail("invalid_request", "code_challenge_method must be S256.");
        if (challenge is not null && !PkceChallenge().IsMatch(challenge)) return Fail("invalid_request", "code_challenge must be 43 base64url characters (S256).");
        if (Single(p, "display") is { } display && display is not ("page" or "popup" or "touch" or "wap"))
            return Fail("invalid_request", "display must be page, popup, touch or wap.");
        if (popup && !app.AllowedOrigins.Contains(targetOrigin, StringComparer.OrdinalIgnoreCase))
            return Fail("invalid_request", "display=popup needs the redirect URI's origin among the application's allowed origins.");
        // The pool session may answer without a scan (Oidc/SessionSignIn.cs); prompt=none never shows the QR page.
        var asked = SessionSignIn.Read(Single(p, "prompt"), Single(p, "max_age"));
        if (asked.Error is { } promptError) return Fail("invalid_request", promptError);
        if (await SessionSignIn.TryAsync(http, cluster, new AuthorizationRequest(poolId, app.AppId, redirectUri, scopes, state, nonce, challenge, "",
                LoginText.Resolve(Single(p, "ui_locales"), http.Request.Headers.AcceptLanguage), popup, null, "", formPost), asked) is { } fromSession)
            return fromSession.Value is { } signedIn
                ? Respond(text, popup, formPost, targetOrigin, redirectUri, new() { ["code"] = signedIn.Code, ["state"] = state, ["iss"] = issuer }, http.Response,
                    app.AllowedOrigins)
                : Fail(fromSession.Failure!.Code == AuthorizationFailures.LoginRequired ? "login_required" : "server_error", fromSession.Failure.Message);

        // The access policy chooses: the named source if the application may use it, else the first the application may use.
        var named = Single(p, "identity_source");
        var chosen = named is { Length: >= 32 } ? null
            : await cluster.GetGrain<IAccessPolicyGrain>(0).ChooseIdentitySourceAsync(app.AppId, named, firstOfSeveral: true);
        if (chosen?.Value is not { } source) return Fail("invalid_request", "identity_source is unknown, disabled or not enabled for this application.");

        var locale = LoginText.Resolve(Single(p, "ui_locales"), http.Request.Headers.AcceptLanguage);
        return await BeginAsync(http, cluster, text, new AuthorizationRequest(poolId, app.AppId, redirectUri, scopes, state, nonce, challenge,
            source, locale, popup, RequestText.Truncate(Single(p, "login_hint"), 256), "", formPost), Fail);
    }

    /// <summary>
    /// Starts a validated login (from /authorize or a source's direct link, <see cref="ConnectionsApi"/>): the ticket limits, the
    /// first ticket, the stored request, this browser's cookie, and the way to the QR page on the host the browser used.
    /// </summary>
    internal static async Task<LoginAnswer> BeginAsync(HttpContext http, IClusterClient cluster, LoginText text, AuthorizationRequest validated,
        Func<string, string, LoginAnswer> fail)
    {
        var (poolId, appId) = (validated.PoolId, validated.ClientId);
        // Each authorize opens a ticket: the same limits as any ticket creation, told on a page (not sent back to the client,
        // whose site would only start another login).
        if (await AbuseLimits.TicketCreationAsync(http, appId) is { } tooMany)
        {
            tooMany.Apply(http);
            return ErrorPage(text, 429, string.Format(text.TooManyLogins, tooMany.RetryAfterSeconds), tooMany.Code);
        }
        var browserSecret = Secrets.NewSecret();
        var opened = await OpenTicketAsync(http, cluster, appId, validated.IdentitySource, browserSecret);
        if (opened.Failure is { } refused) return fail("temporarily_unavailable", refused.Message);

        var requestId = Secrets.NewId();
        var request = validated with { BrowserSecretHash = Secrets.HashBrowserSecret(browserSecret) };
        var started = await cluster.GetGrain<IAuthorizationGrain>(requestId).StartAsync(request, opened.Value!.TicketId);
        if (started.Value is not { } view) return fail("server_error", started.Failure!.Message);

        var basePath = BasePath(http, poolId, requestId);
        // Host-only (no Domain): a pool's own host never shares its login cookies with another pool's host.
        http.Response.Cookies.Append(CookiePrefix + requestId, browserSecret, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = basePath,
            Expires = view.ExpiresAt,
        });
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Redirect(basePath);
    }

    /// <summary>How the QR page is asked for: <c>transport=poll</c> (else server-sent events) and the page's language.</summary>
    public sealed record LoginPageQuery(string? Transport, [property: FromQuery(Name = "ui_locales")] string? UiLocales);

    private static async Task<Results<HtmlPage, ContentHttpResult>> ShowLoginAsync(string poolId, string requestId, [AsParameters] LoginPageQuery query,
        HttpContext http, IClusterClient cluster)
    {
        var (transport, ui_locales) = query;
        var (view, app, error) = await LoadAsync(poolId, requestId, http, cluster);
        if (error is not null) return error;
        var text = LoginText.For(ui_locales is { } asked ? LoginText.Resolve(asked, null) : view!.Request.Locale);
        if (view!.Completed) return ErrorPage(text, 410, text.TimedOut);
        var source = await cluster.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, view.Request.IdentitySource)).GetAsync();
        var logo = app!.LogoUrl is { } url && LoginPageHeaders.OriginOf(url) is not null ? url : null;
        LoginPageHeaders.Apply(http.Response, app.AllowedOrigins, LoginPageHeaders.OriginOf(logo));
        var model = new LoginPageModel(BasePath(http, poolId, requestId), app.Name, logo, source?.DisplayName ?? view.Request.IdentitySource, view.TicketId,
            transport == "poll" ? "poll" : "sse", SameDeviceLogin.IsPhone(http.Request.Headers.UserAgent),
            LoginBranding.Resolve(app, await cluster.GetGrain<IUserPoolGrain>(poolId).GetSettingsAsync(), logo));
        return TypedResults.Content(LoginPages.Login(text, model), "text/html; charset=utf-8");
    }

    private static async Task<Results<Ok<RenewedCode>, ProblemHttpResult>> RenewAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster)
    {
        // Only this page's own script may ask: a cross-site form cannot send the custom header (and SameSite keeps the cookie home).
        if (!IsPageRequest(http.Request))
            return ApiProblems.Problem(403, "cross_site_request", "Renew the code from the login page itself.");
        if (!IsSafeId(poolId) || !Secrets.IsWellFormedId(requestId) || Cookie(http, requestId) is not { } secret)
            return ApiProblems.Problem(403, AuthorizationFailures.OtherBrowser, "This login was started in another browser.");
        if (UnknownIds.RefusalOf(http) is { } tooManyUnknown) return tooManyUnknown.ToProblem(http);
        var current = await http.RequestServices.GetRequiredService<UnknownIds>().AuthorizationAsync(http, cluster, requestId, secret);
        var grain = cluster.GetGrain<IAuthorizationGrain>(requestId);
        if (current.Value is not { } view || view.Request.PoolId != poolId) return LoginProblem(current.Failure);
        if (await AbuseLimits.TicketCreationAsync(http, view.Request.ClientId) is { } tooMany) return tooMany.ToProblem(http);
        var opened = await OpenTicketAsync(http, cluster, view.Request.ClientId, view.Request.IdentitySource, secret);
        if (opened.Value is not { } ticket) return ApiProblems.From(opened.Failure!);
        var renewed = await grain.RenewAsync(secret, ticket.TicketId);
        if (renewed.Failure is { } failure) return LoginProblem(failure);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new RenewedCode(ticket.TicketId, $"/api/tickets/{ticket.TicketId}/qr.png?size=240", TicketView.From(ticket)));
    }

    private static async Task<LoginAnswer> CompleteAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster)
    {
        var (view, app, error) = await LoadAsync(poolId, requestId, http, cluster);
        if (error is not null) return error;
        var text = LoginText.For(view!.Request.Locale);
        // The application may ask that the browser finishing the login be at the address that opened its code.
        var sameAddress = await cluster.GetGrain<ITicketGrain>(view.TicketId).CheckCompletingAddressAsync(TicketOpener.RequesterOf(http, null).IpAddress);
        if (sameAddress.Failure is { Code: FailureCodes.AddressChanged } moved) return ErrorPage(text, 403, text.AddressChanged, moved.Code);
        var completed = await cluster.GetGrain<IAuthorizationGrain>(requestId).CompleteAsync(Cookie(http, requestId)!);
        if (completed.Failure is { Code: AuthorizationFailures.NotConfirmed }) return TypedResults.Redirect(BasePath(http, poolId, requestId));
        if (completed.Value is not { } done) return ErrorPage(text, 409, text.TimedOut, completed.Failure!.Code);
        ExpireCookie(http, poolId, requestId);
        if (done.Session is { } session) PoolSessionCookie.Write(http, poolId, session);
        var result = new Dictionary<string, string?>
        {
            ["code"] = done.Code,
            ["state"] = done.State,
            ["iss"] = await OidcIssuer.ForAsync(http, cluster, poolId),
        };
        return Respond(text, done.Popup, done.FormPost, LoginPageHeaders.OriginOf(done.RedirectUri)!, done.RedirectUri, result, http.Response, app!.AllowedOrigins);
    }

    /// <summary>"Cancel and return": the user gave up, which the client hears as access_denied.</summary>
    private static async Task<LoginAnswer> AbortAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster)
    {
        var (view, app, error) = await LoadAsync(poolId, requestId, http, cluster);
        if (error is not null) return error;
        ExpireCookie(http, poolId, requestId);
        var request = view!.Request;
        return ErrorResult(LoginText.For(request.Locale), request.Popup, request.FormPost, LoginPageHeaders.OriginOf(request.RedirectUri)!, request.RedirectUri,
            "access_denied", "The user cancelled the login.", request.State, await OidcIssuer.ForAsync(http, cluster, poolId), http.Response, app!.AllowedOrigins);
    }

    private static async Task<(AuthorizationView? View, ApplicationSettings? App, HtmlPage? Error)> LoadAsync(string poolId, string requestId, HttpContext http,
        IClusterClient cluster)
    {
        var text = LoginText.For(LoginText.Resolve(null, http.Request.Headers.AcceptLanguage));
        if (!IsSafeId(poolId) || !Secrets.IsWellFormedId(requestId)) return (null, null, ErrorPage(text, 404, text.TimedOut));
        if (Cookie(http, requestId) is not { } secret) return (null, null, ErrorPage(text, 403, text.OtherBrowser));
        // Request ids are the caller's to invent: ones the cluster lately did not know are answered from memory.
        if (UnknownIds.RefusalOf(http) is { } tooManyUnknown)
        {
            tooManyUnknown.Apply(http);
            return (null, null, ErrorPage(text, 429, tooManyUnknown.Message, AbuseLimits.RateLimited));
        }
        var outcome = await http.RequestServices.GetRequiredService<UnknownIds>().AuthorizationAsync(http, cluster, requestId, secret);
        if (outcome.Value is not { } view || view.Request.PoolId != poolId)
            return (null, null, outcome.Failure?.Code == AuthorizationFailures.OtherBrowser ? ErrorPage(text, 403, text.OtherBrowser) : ErrorPage(text, 404, text.TimedOut));
        var app = await cluster.GetGrain<IApplicationGrain>(view.Request.ClientId).GetAsync();
        if (app is null) return (null, null, ErrorPage(text, 404, text.TimedOut));
        return (view, app, null);
    }

    private static async Task<Outcome<TicketSnapshot>> OpenTicketAsync(HttpContext http, IClusterClient cluster, string appId,
        string identitySource, string browserSecret)
    {
        // The page is ScanLogin's own: no Origin to check, and the phone is shown the browser that asked.
        var opened = await TicketOpener.OpenAsync(http, new TicketOpening(appId, identitySource, TicketOpener.RequesterOf(http, null),
            Secrets.HashBrowserSecret(browserSecret), HostedLogin: true));
        return opened.Value is { } ticket ? ticket.Ticket : opened.Failure!;
    }

    private static LoginAnswer ErrorResult(LoginText text, bool popup, bool formPost, string targetOrigin, string redirectUri, string error, string description, string? state,
        string? issuer, HttpResponse response, string[] allowedOrigins)
    {
        var result = new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description, ["state"] = state, ["iss"] = issuer };
        return Respond(text, popup, formPost, targetOrigin, redirectUri, result, response, allowedOrigins);
    }

    private static LoginAnswer Respond(LoginText text, bool popup, bool formPost, string targetOrigin, string redirectUri, Dictionary<string, string?> result, HttpResponse response,
        string[] allowedOrigins)
    {
        if (popup)
        {
            LoginPageHeaders.Apply(response, allowedOrigins);
            return TypedResults.Content(LoginPages.PopupResult(text, targetOrigin, result), "text/html; charset=utf-8");
        }
        if (formPost)
        {
            LoginPageHeaders.Apply(response, allowedOrigins, formTarget: targetOrigin);
            return TypedResults.Content(LoginPages.FormPost(text, redirectUri, result), "text/html; charset=utf-8");
        }
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        return TypedResults.Redirect(QueryHelpers.AddQueryString(redirectUri, result.Where(kv => kv.Value is not null)!));
    }

    internal static HtmlPage ErrorPage(LoginText text, int status, string message, string? detail = null) => new HtmlPage(LoginPages.Error(text, message, detail), status);

    internal static ProblemHttpResult LoginProblem(Failure? failure) => failure?.Code == AuthorizationFailures.OtherBrowser
        ? ApiProblems.Problem(403, failure.Code, failure.Message)
        : ApiProblems.Problem(404, AuthorizationFailures.RequestNotFound, failure?.Message ?? "This login has timed out.");

    internal static string? Cookie(HttpContext http, string requestId) =>
        http.Request.Cookies[CookiePrefix + requestId] is { Length: > 0 and <= 64 } value ? value : null;

    private static void ExpireCookie(HttpContext http, string poolId, string requestId) =>
        http.Response.Cookies.Delete(CookiePrefix + requestId, new CookieOptions { Path = BasePath(http, poolId, requestId), HttpOnly = true, Secure = http.Request.IsHttps });

    /// <summary>Only the page's own script sends this header, and a browser sends it cross-site only after a preflight nobody answers.</summary>
    internal static bool IsPageRequest(HttpRequest request) => request.Headers["X-Requested-With"] == "scanlogin" && IsSameOrigin(request);

    private static bool IsSameOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin
        || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private static string BasePath(HttpContext http, string poolId, string requestId) => $"{OidcIssuer.PathOf(http, poolId)}/login/{requestId}";

    private static string? Single(Dictionary<string, StringValues> p, string name) =>
        p.TryGetValue(name, out var values) && values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;

    internal static bool IsSafeId(string? id) => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex PkceChallenge();

    /// <summary>An HTML answer with its status and the login pages' security headers.</summary>
    internal sealed class HtmlPage(string html, int status) : IResult
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

/// <summary>A new code for the same login: its ticket id, its picture and its status.</summary>
public sealed record RenewedCode(string TicketId, string QrImageUrl, TicketView Ticket);
