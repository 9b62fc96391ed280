using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The hosted login of each pool: GET /oidc/{poolId}/authorize validates an OpenID Connect code request, opens a QR ticket bound
/// to this browser (an HttpOnly cookie holds the ticket's browser secret) and sends the browser to the QR page, which follows
/// the ticket and, once the phone confirms, comes back here for the authorization code.
/// </summary>
public static partial class HostedLoginApi
{
    public static readonly string[] SupportedScopes = ["openid", "profile", "phone"];
    private const string CookiePrefix = "scanlogin_login_";

    public static IEndpointRouteBuilder MapHostedLoginApi(this IEndpointRouteBuilder app)
    {
        var oidc = app.MapGroup("/oidc/{poolId}").WithTags("OpenID Connect");
        oidc.MapMethods("/authorize", ["GET", "POST"], AuthorizeAsync).WithName("Authorize").DisableAntiforgery()
            .WithSummary("OpenID Connect authorization endpoint (code flow, PKCE S256): shows the hosted QR login page");
        var login = oidc.MapGroup("/login/{requestId}").ExcludeFromDescription();
        login.MapGet("/", ShowLoginAsync);
        login.MapPost("/renew", RenewAsync);
        login.MapGet("/complete", CompleteAsync);
        login.MapGet("/abort", AbortAsync);
        app.MapHostedBindingApi();
        app.MapHostedBrandingApi();
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        IEnumerable<KeyValuePair<string, StringValues>> parameters = http.Request.Query;
        // Only a POST carries the request in its body (OpenID Connect Core 3.1.2.1); a GET's body is ignored.
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            if (await OidcForms.TryReadAsync(http.Request) is not { } form)
            {
                var plain = LoginText.For(LoginText.Resolve(null, http.Request.Headers.AcceptLanguage));
                return ErrorPage(plain, 400, plain.Lang == LoginText.Chinese ? "无法读取请求的表单。" : "The request's form could not be read.", "invalid_request");
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
            return ErrorPage(text, 404, text.Lang == LoginText.Chinese ? "用户池不存在。" : "This user pool does not exist.", "invalid_request");
        if (p.TryGetValue("client_id", out var clientIds) && clientIds.Count > 1 || p.TryGetValue("redirect_uri", out var uris) && uris.Count > 1)
            return ErrorPage(text, 400, text.Lang == LoginText.Chinese ? "client_id 或 redirect_uri 重复。" : "client_id or redirect_uri is repeated.", "invalid_request");
        var clientId = Single(p, "client_id");
        var app = clientId is { Length: > 0 and <= 64 } ? await unknownIds.ApplicationAsync(http, cluster, clientId) : null;
        if (app is null || app.PoolId != poolId)
            return ErrorPage(text, 400, text.Lang == LoginText.Chinese ? "未知的应用（client_id）。" : "Unknown application (client_id).", "invalid_client");
        var redirectUri = Single(p, "redirect_uri");
        if (redirectUri is null || !app.CallbackUrls.Contains(redirectUri, StringComparer.Ordinal)
            && !await Admin.TryLoginApi.AdmitsAsync(cluster, poolId, app.AppId, redirectUri, Single(p, "state"), Single(p, "code_challenge")))
            return ErrorPage(text, 400, text.Lang == LoginText.Chinese
                ? "redirect_uri 不是该应用登记的回调地址。"
                : "redirect_uri is not one of the application's registered callback URLs.", "invalid_request");

        var state = Single(p, "state");
        var issuer = await OidcIssuer.OfAsync(cluster, poolId) ?? "";
        var popup = Single(p, "display") == "popup";
        var formPost = Single(p, "response_mode") == "form_post";
        var targetOrigin = LoginPageHeaders.OriginOf(redirectUri)!;
        IResult Fail(string error, string description) => ErrorResult(text, popup && app.AllowedOrigins.Contains(targetOrigin, StringComparer.OrdinalIgnoreCase),
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
        var prompts = (Single(p, "prompt") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // Every hosted login is a fresh scan: there is no provider session to answer prompt=none from.
        if (prompts.Contains("none")) return Fail("login_required", "A QR login needs the user; prompt=none cannot be honoured.");
        if (prompts.Any(x => x is not ("login" or "consent" or "select_account"))) return Fail("invalid_request", "Unknown prompt value.");

        var source = await FindIdentitySourceAsync(cluster, poolId, app.AppId, Single(p, "identity_source"));
        if (source is null) return Fail("invalid_request", "identity_source is unknown, disabled or not enabled for this application.");

        // Each authorize opens a ticket: the same limits as any ticket creation, told on a page (not sent back to the client,
        // whose site would only start another login).
        if (await AbuseLimits.TicketCreationAsync(http, app.AppId) is { } tooMany)
        {
            tooMany.Apply(http);
            return ErrorPage(text, 429, text.Lang == LoginText.Chinese ? $"请求过于频繁，请 {tooMany.RetryAfterSeconds} 秒后再试。"
                : $"Too many logins from this address; try again in {tooMany.RetryAfterSeconds} s.", tooMany.Code);
        }
        var locale = LoginText.Resolve(Single(p, "ui_locales"), http.Request.Headers.AcceptLanguage);
        var browserSecret = Secrets.NewSecret();
        var opened = await OpenTicketAsync(http, cluster, app.AppId, source.Identifier, browserSecret);
        if (opened.Failure is { } refused) return Fail("temporarily_unavailable", refused.Message);

        var requestId = Secrets.NewId();
        var request = new AuthorizationRequest(poolId, app.AppId, redirectUri, scopes, state, nonce, challenge, source.Identifier, locale, popup,
            TicketsApi.Truncate(Single(p, "login_hint"), 256), Secrets.HashBrowserSecret(browserSecret), formPost);
        var started = await cluster.GetGrain<IAuthorizationGrain>(requestId).StartAsync(request, opened.Value!.TicketId);
        if (started.Value is not { } view) return Fail("server_error", started.Failure!.Message);

        var basePath = BasePath(poolId, requestId);
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
        return Results.Redirect(basePath);
    }

    private static async Task<IResult> ShowLoginAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster, string? transport = null,
        string? ui_locales = null)
    {
        var (view, app, error) = await LoadAsync(poolId, requestId, http, cluster);
        if (error is not null) return error;
        var text = LoginText.For(ui_locales is { } asked ? LoginText.Resolve(asked, null) : view!.Request.Locale);
        if (view!.Completed) return ErrorPage(text, 410, text.TimedOut);
        var source = await cluster.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, view.Request.IdentitySource)).GetAsync();
        var logo = app!.LogoUrl is { } url && LoginPageHeaders.OriginOf(url) is not null ? url : null;
        LoginPageHeaders.Apply(http.Response, app.AllowedOrigins, LoginPageHeaders.OriginOf(logo));
        var model = new LoginPageModel(BasePath(poolId, requestId), app.Name, logo, source?.DisplayName ?? view.Request.IdentitySource, view.TicketId,
            transport == "poll" ? "poll" : "sse", SameDeviceLogin.IsPhone(http.Request.Headers.UserAgent),
            LoginBranding.Resolve(app, await cluster.GetGrain<IUserPoolGrain>(poolId).GetSettingsAsync(), logo));
        return Results.Content(LoginPages.Login(text, model), "text/html; charset=utf-8");
    }

    private static async Task<IResult> RenewAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster)
    {
        // Only this page's own script may ask: a cross-site form cannot send the custom header (and SameSite keeps the cookie home).
        if (!IsPageRequest(http.Request))
            return ApiProblems.Problem(403, "cross_site_request", "Renew the code from the login page itself.");
        if (!IsSafeId(poolId) || !Secrets.IsWellFormedId(requestId) || Cookie(http, requestId) is not { } secret)
            return ApiProblems.Problem(403, AuthorizationFailures.OtherBrowser, "This login was started in another browser.");
        var grain = cluster.GetGrain<IAuthorizationGrain>(requestId);
        var current = await grain.GetAsync(secret);
        if (current.Value is not { } view || view.Request.PoolId != poolId) return LoginProblem(current.Failure);
        if (await AbuseLimits.TicketCreationAsync(http, view.Request.ClientId) is { } tooMany) return tooMany.ToProblem(http);
        var opened = await OpenTicketAsync(http, cluster, view.Request.ClientId, view.Request.IdentitySource, secret);
        if (opened.Value is not { } ticket) return ApiProblems.From(opened.Failure!);
        var renewed = await grain.RenewAsync(secret, ticket.TicketId);
        if (renewed.Failure is { } failure) return LoginProblem(failure);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new RenewedCode(ticket.TicketId, $"/api/tickets/{ticket.TicketId}/qr.png?size=240", TicketView.From(ticket)));
    }

    private static async Task<IResult> CompleteAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster)
    {
        var (view, app, error) = await LoadAsync(poolId, requestId, http, cluster);
        if (error is not null) return error;
        var text = LoginText.For(view!.Request.Locale);
        // The application may ask that the browser finishing the login be at the address that opened its code.
        var sameAddress = await cluster.GetGrain<ITicketGrain>(view.TicketId).CheckCompletingAddressAsync(TicketsApi.RequesterOf(http, null).IpAddress);
        if (sameAddress.Failure is { Code: FailureCodes.AddressChanged } moved) return ErrorPage(text, 403, text.AddressChanged, moved.Code);
        var completed = await cluster.GetGrain<IAuthorizationGrain>(requestId).CompleteAsync(Cookie(http, requestId)!);
        if (completed.Failure is { Code: AuthorizationFailures.NotConfirmed }) return Results.Redirect(BasePath(poolId, requestId));
        if (completed.Value is not { } done) return ErrorPage(text, 409, text.TimedOut, completed.Failure!.Code);
        ExpireCookie(http, poolId, requestId);
        var result = new Dictionary<string, string?>
        {
            ["code"] = done.Code,
            ["state"] = done.State,
            ["iss"] = await OidcIssuer.OfAsync(cluster, poolId),
        };
        return Respond(text, done.Popup, done.FormPost, LoginPageHeaders.OriginOf(done.RedirectUri)!, done.RedirectUri, result, http.Response, app!.AllowedOrigins);
    }

    /// <summary>"Cancel and return": the user gave up, which the client hears as access_denied.</summary>
    private static async Task<IResult> AbortAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster)
    {
        var (view, app, error) = await LoadAsync(poolId, requestId, http, cluster);
        if (error is not null) return error;
        ExpireCookie(http, poolId, requestId);
        var request = view!.Request;
        return ErrorResult(LoginText.For(request.Locale), request.Popup, request.FormPost, LoginPageHeaders.OriginOf(request.RedirectUri)!, request.RedirectUri,
            "access_denied", "The user cancelled the login.", request.State, await OidcIssuer.OfAsync(cluster, poolId), http.Response, app!.AllowedOrigins);
    }

    private static async Task<(AuthorizationView? View, ApplicationSettings? App, IResult? Error)> LoadAsync(string poolId, string requestId, HttpContext http,
        IClusterClient cluster)
    {
        var text = LoginText.For(LoginText.Resolve(null, http.Request.Headers.AcceptLanguage));
        if (!IsSafeId(poolId) || !Secrets.IsWellFormedId(requestId)) return (null, null, ErrorPage(text, 404, text.TimedOut));
        if (Cookie(http, requestId) is not { } secret) return (null, null, ErrorPage(text, 403, text.OtherBrowser));
        var outcome = await cluster.GetGrain<IAuthorizationGrain>(requestId).GetAsync(secret);
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
        var opened = await TicketsApi.OpenTicketAsync(http, new TicketOpening(appId, identitySource, TicketsApi.RequesterOf(http, null),
            Secrets.HashBrowserSecret(browserSecret), HostedLogin: true));
        return opened.Value is { } ticket ? ticket.Ticket : opened.Failure!;
    }

    /// <summary>The named source if usable by the application; without a name, the pool's first usable one.</summary>
    private static async Task<IdentitySourceSettings?> FindIdentitySourceAsync(IClusterClient cluster, string poolId, string appId, string? identifier)
    {
        static bool Usable(IdentitySourceSettings? s, string appId) => s is { Enabled: true } && s.ApplicationIds.Contains(appId);
        if (identifier is not null)
        {
            if (identifier is not { Length: > 0 and < 32 }) return null;
            var named = await cluster.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, identifier)).GetAsync();
            return Usable(named, appId) ? named : null;
        }
        var listed = await cluster.GetGrain<ICatalogGrain>(0).ListAsync(CatalogKind.IdentitySources, poolId, null, 50);
        foreach (var row in listed.Items)
        {
            var source = await cluster.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, row.Id)).GetAsync();
            if (Usable(source, appId)) return source;
        }
        return null;
    }

    private static IResult ErrorResult(LoginText text, bool popup, bool formPost, string targetOrigin, string redirectUri, string error, string description, string? state,
        string? issuer, HttpResponse response, string[] allowedOrigins)
    {
        var result = new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description, ["state"] = state, ["iss"] = issuer };
        return Respond(text, popup, formPost, targetOrigin, redirectUri, result, response, allowedOrigins);
    }

    private static IResult Respond(LoginText text, bool popup, bool formPost, string targetOrigin, string redirectUri, Dictionary<string, string?> result, HttpResponse response,
        string[] allowedOrigins)
    {
        if (popup)
        {
            LoginPageHeaders.Apply(response, allowedOrigins);
            return Results.Content(LoginPages.PopupResult(text, targetOrigin, result), "text/html; charset=utf-8");
        }
        if (formPost)
        {
            LoginPageHeaders.Apply(response, allowedOrigins, formTarget: targetOrigin);
            return Results.Content(LoginPages.FormPost(text, redirectUri, result), "text/html; charset=utf-8");
        }
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, result.Where(kv => kv.Value is not null)!));
    }

    private static IResult ErrorPage(LoginText text, int status, string message, string? detail = null) => new HtmlPage(LoginPages.Error(text, message, detail), status);

    internal static IResult LoginProblem(Failure? failure) => failure?.Code == AuthorizationFailures.OtherBrowser
        ? ApiProblems.Problem(403, failure.Code, failure.Message)
        : ApiProblems.Problem(404, AuthorizationFailures.RequestNotFound, failure?.Message ?? "This login has timed out.");

    internal static string? Cookie(HttpContext http, string requestId) =>
        http.Request.Cookies[CookiePrefix + requestId] is { Length: > 0 and <= 64 } value ? value : null;

    private static void ExpireCookie(HttpContext http, string poolId, string requestId) =>
        http.Response.Cookies.Delete(CookiePrefix + requestId, new CookieOptions { Path = BasePath(poolId, requestId), HttpOnly = true, Secure = http.Request.IsHttps });

    /// <summary>Only the page's own script sends this header, and a browser sends it cross-site only after a preflight nobody answers.</summary>
    internal static bool IsPageRequest(HttpRequest request) => request.Headers["X-Requested-With"] == "scanlogin" && IsSameOrigin(request);

    private static bool IsSameOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin
        || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private static string BasePath(string poolId, string requestId) => $"/oidc/{Uri.EscapeDataString(poolId)}/login/{requestId}";

    private static string? Single(Dictionary<string, StringValues> p, string name) =>
        p.TryGetValue(name, out var values) && values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;

    internal static bool IsSafeId(string? id) => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex PkceChallenge();

    /// <summary>An HTML answer with its status and the login pages' security headers.</summary>
    private sealed class HtmlPage(string html, int status) : IResult
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
