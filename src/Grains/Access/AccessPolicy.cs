using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Access;

/// <summary>
/// Who may do what with a login, in one place: the pure rules. The ticket desk asks them at creation, the ticket grain at
/// every phone action and exchange, the mini-program login and the open-in-WeChat link before they call WeChat, and the
/// front end through <see cref="AccessPolicyGrain"/>. What a ticket needs later is fixed here at creation
/// (<see cref="TermsFor"/>), so its pictures and CORS answers never read the application or the source again.
/// </summary>
public static class AccessPolicy
{
    /// <summary>Origin or credentials: a browser must be on one of the application's origins, a server must show the application's own credentials.</summary>
    public static Failure? CheckOrigin(ApplicationSettings app, string? origin) =>
        origin is { Length: > 0 } && !RequestOrigins.Allows(app.AllowedOrigins, origin)
            ? new Failure(FailureCodes.OriginNotAllowed, $"Origin {origin} is not allowed for application {app.AppId}.")
            : null;

    /// <summary>
    /// Whether the caller must prove it is the application: always without a browser Origin (a server; only the application's
    /// own backend may show its QR code), and whenever credentials are shown at all (a page that sends them must send right ones).
    /// </summary>
    public static bool NeedsCredentials(string? origin, bool hostedLogin, AppCredentials? credentials) =>
        RequestOrigins.IsServer(origin, hostedLogin) || credentials is not null;

    /// <summary>Credentials name the application itself (the secret is then checked by its grain); another application's never count.</summary>
    public static bool NameTheApplication(AppCredentials? credentials, string appId) => credentials is not null && credentials.AppId == appId;

    public static Failure CredentialsInvalid() =>
        new(FailureCodes.AppCredentialsInvalid, "A ticket requested without a browser Origin needs the application's valid credentials.");

    /// <summary>The one rule for whether an application may run logins through an identity source: at creation and at every phone action.</summary>
    public static Failure? CheckSource(IdentitySourceSettings? source, string identifier, string appId)
    {
        if (source is null) return new Failure(FailureCodes.IdentitySourceNotFound, $"Identity source {identifier} does not exist.");
        if (!source.Enabled) return new Failure(FailureCodes.IdentitySourceDisabled, $"Identity source {identifier} is disabled.");
        if (!source.ApplicationIds.Contains(appId))
            return new Failure(FailureCodes.IdentitySourceNotEnabledForApp, $"Identity source {identifier} is not enabled for application {appId}.");
        return null;
    }

    /// <summary>Whether <paramref name="source"/> may serve <paramref name="appId"/>'s logins (<see cref="CheckSource"/> finds nothing to refuse).</summary>
    public static bool IsUsable(IdentitySourceSettings? source, string appId) => source is not null && CheckSource(source, source.Identifier, appId) is null;

    /// <summary>
    /// "The default source", wherever a login names none: the application's usable source. None is "not found". Several
    /// differ by caller, each pinned by its tests, and decided only here: Authing's gene refuses them as ambiguous (its SDK
    /// can name one), the hosted login takes the first in the pool's listing order (<paramref name="firstOfSeveral"/>).
    /// </summary>
    /// <param name="poolSources">The pool's sources in its listing order (the catalog's).</param>
    public static Outcome<string> ChooseDefault(IEnumerable<IdentitySourceSettings?> poolSources, string appId, bool firstOfSeveral = false)
    {
        var usable = poolSources.Where(s => IsUsable(s, appId)).Select(s => s!.Identifier).ToArray();
        return usable switch
        {
            [var only, ..] when usable.Length == 1 || firstOfSeveral => only,
            [] => new Failure(FailureCodes.IdentitySourceNotFound, $"Application {appId} has no enabled WeChat scan identity source."),
            _ => new Failure(FailureCodes.IdentitySourceAmbiguous,
                $"Application {appId} has several enabled WeChat scan identity sources ({string.Join(", ", usable.Order(StringComparer.Ordinal))}): name one with extIdpConnId."),
        };
    }

    /// <summary>
    /// The pool may let only the application's backend act on tickets. The hosted login hands the browser only an
    /// authorization code; its token endpoint applies the pool's rule instead (<see cref="CheckCodeRedemption"/>).
    /// </summary>
    public static bool RefusesBrowser(string? browserSecret, bool hostedLogin, UserPoolSettings? pool) =>
        browserSecret is not null && !hostedLogin && KeepsExchangeOnBackends(pool);

    /// <summary>The hosted login's side of the same pool rule: a public client (no secret proven) may not redeem a code.</summary>
    public static Failure? CheckCodeRedemption(UserPoolSettings? pool, bool clientAuthenticated) =>
        !clientAuthenticated && KeepsExchangeOnBackends(pool)
            ? new Failure(FailureCodes.ExchangeForbidden, "This user pool requires the client's secret at the token endpoint.")
            : null;

    /// <summary>A pool that cannot be read refuses no one: the ticket's own proofs still apply.</summary>
    private static bool KeepsExchangeOnBackends(UserPoolSettings? pool) => pool?.BrowserExchangeDisabled == true;

    /// <summary>
    /// Authing's browser exchange (no app secret) is an opt-in of the application, and only from one of its origins: a
    /// browser always says which page asks. The pool's rule and the ticket's holder proof still apply at the exchange.
    /// </summary>
    public static Failure? CheckAuthingBrowserExchange(ApplicationSettings? app, string appId, string? origin)
    {
        if (app is null) return new Failure(FailureCodes.ApplicationNotFound, $"Application {appId} does not exist.");
        if (!app.AuthingBrowserExchange)
            return new Failure(FailureCodes.ExchangeForbidden,
                $"Application {app.AppId} lets only its backend exchange tickets: send Authorization: Basic base64(appId:appSecret) from the server.");
        if (!RequestOrigins.Allows(app.AllowedOrigins, origin))
            return new Failure(FailureCodes.OriginNotAllowed, $"A browser exchange must come from one of application {app.AppId}'s allowed origins.");
        return null;
    }

    /// <summary>
    /// What a ticket keeps of its application and source from its creation on: the origins its answers may be read from
    /// (CORS) and how its code is drawn (logo version, private deployment). A later admin change applies to new tickets;
    /// live ones finish under the terms they were opened with. (The application's logo on the phone is not a term: the
    /// phone shows the current one.)
    /// </summary>
    public static TicketTerms TermsFor(ApplicationSettings? app, IdentitySourceSettings? source, string platformMiniProgramAppId) => new(
        app?.AllowedOrigins ?? [],
        source?.LogoHash,
        source?.PrivateDeployment == true,
        MiniProgramOf(source, platformMiniProgramAppId));

    /// <summary>The mini program a source's codes open: its own when privately deployed, else the platform's.</summary>
    public static string? MiniProgramOf(IdentitySourceSettings? source, string platformMiniProgramAppId) =>
        source is null ? null
        : source.PrivateDeployment ? source.MiniProgramAppId
        : platformMiniProgramAppId is { Length: > 0 } ? platformMiniProgramAppId : null;

    /// <summary>The application's admin-set logo for the phone to show: only an absolute http(s) URL.</summary>
    public static string? AppLogoUrlOf(ApplicationSettings? app) =>
        app?.LogoUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? url : null;
}
