using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// An identity source's direct login link, for sites that speak neither OpenID Connect nor the ticket API:
/// GET {pool host}/connections/{identifier}?app_id=...[&amp;state=...][&amp;redirect_uri=...] (or /oidc/{poolId}/connections/...)
/// shows the hosted QR page and, once the phone confirms, sends the browser to the source's callback URL with a one-use
/// <c>code</c> (and <c>state</c>, <c>iss</c>). The site's backend redeems the code at the pool's token endpoint with
/// grant_type=authorization_code, the same redirect_uri and its application secret (Basic or form): the code is issued without
/// PKCE, so the secret is required. It is the hosted login's own machinery (<see cref="HostedLoginApi.BeginAsync"/>), not a copy.
/// </summary>
public static class ConnectionsApi
{
    public static IEndpointRouteBuilder MapConnectionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/oidc/{poolId}").WithTags("OpenID Connect")
            .MapGet("/connections/{identifier}", StartAsync).WithName("ConnectionLogin")
            .WithSummary("An identity source's direct login link: the hosted QR page, then the source's callback URL with a one-use code")
            .WithDescription("Query: app_id (required), state, redirect_uri (the source's callback URL or one of the application's; default the " +
                "source's). The code is redeemed at the token endpoint (grant_type=authorization_code, redirect_uri, client secret).");
        return app;
    }

    private static async Task<Results<HostedLoginApi.HtmlPage, ContentHttpResult, RedirectHttpResult>> StartAsync(string poolId, string identifier, HttpContext http, IClusterClient cluster)
    {
        var q = http.Request.Query;
        var text = LoginText.For(LoginText.Resolve(Single(q, "ui_locales"), http.Request.Headers.AcceptLanguage));
        // Nothing here is trusted until the application and the callback are: every refusal is a page, never a redirect.
        if (UnknownIds.RefusalOf(http) is { } tooManyUnknown)
        {
            tooManyUnknown.Apply(http);
            return HostedLoginApi.ErrorPage(text, 429, tooManyUnknown.Message, AbuseLimits.RateLimited);
        }
        var unknownIds = http.RequestServices.GetRequiredService<UnknownIds>();
        if (!HostedLoginApi.IsSafeId(poolId) || await unknownIds.PoolAsync(http, cluster, poolId) is null)
            return HostedLoginApi.ErrorPage(text, 404, text.PoolNotFound, "invalid_request");
        if (q.Any(kv => kv.Value.Count > 1))
            return HostedLoginApi.ErrorPage(text, 400, string.Format(text.ParameterRepeated, q.First(kv => kv.Value.Count > 1).Key), "invalid_request");
        var appId = Single(q, "app_id");
        var app = appId is { Length: <= 64 } ? await unknownIds.ApplicationAsync(http, cluster, appId) : null;
        if (app is null || app.PoolId != poolId)
            return HostedLoginApi.ErrorPage(text, 400, text.UnknownApplication, "invalid_client");
        // The access policy decides whether the application may use this source (the same rule as /authorize), not a copy of it.
        var chosen = identifier is { Length: > 0 and < 32 } ? await cluster.GetGrain<IAccessPolicyGrain>(0).ChooseIdentitySourceAsync(app.AppId, identifier) : null;
        var source = chosen?.Value is { } usable
            ? await cluster.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, usable)).GetAsync()
            : null;
        if (source is null)
            return HostedLoginApi.ErrorPage(text, 404, text.SourceUnusable,
                "invalid_request");
        // Exactly the source's callback URL or one of the application's: registered strings only, never an open redirect.
        var callback = Single(q, "redirect_uri") ?? source.CallbackUrl;
        if (callback is null || callback != source.CallbackUrl && !app.CallbackUrls.Contains(callback, StringComparer.Ordinal)
            || LoginPageHeaders.OriginOf(callback) is null)
            return HostedLoginApi.ErrorPage(text, 400, text.CallbackNotRegistered, "invalid_request");
        if (Single(q, "state") is { Length: > 2048 })
            return HostedLoginApi.ErrorPage(text, 400, text.StateTooLong, "invalid_request");

        var locale = LoginText.Resolve(Single(q, "ui_locales"), http.Request.Headers.AcceptLanguage);
        var request = new AuthorizationRequest(poolId, app.AppId, callback, TokenRequest.QrLoginScopes, Single(q, "state"), Nonce: null, CodeChallenge: null,
            source.Identifier, locale, Popup: false, LoginHint: null, BrowserSecretHash: "");
        return await HostedLoginApi.BeginAsync(http, cluster, text, request,
            (error, description) => HostedLoginApi.ErrorPage(text, 503, description, error));
    }

    private static string? Single(IQueryCollection q, string name) =>
        q.TryGetValue(name, out StringValues values) && values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;
}
