using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ScanLogin.SampleSite;

/// <summary>
/// A tiny site that signs in through ScanLogin's hosted login with ASP.NET Core's stock OpenID Connect handler, configured
/// from "Oidc" (Authority = {ScanLogin}/oidc/{poolId}, ClientId, ClientSecret). It also shows pop-up mode by hand.
/// </summary>
public static class SampleSiteApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
            builder.WebHost.UseUrls("http://127.0.0.1:5002");
        configure?.Invoke(builder);
        var oidc = builder.Configuration.GetSection("Oidc");
        builder.Services.AddHttpClient();
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            // Named for the client: two sample sites on one host (ports do not separate cookies) keep their own sign-ins.
            .AddCookie(o => o.Cookie.Name = "sample_session_" + (oidc["ClientId"] ?? "demo-app"))
            .AddOpenIdConnect(o =>
            {
                o.Authority = oidc["Authority"] ?? "http://127.0.0.1:5000/oidc/demo";
                o.ClientId = oidc["ClientId"] ?? "demo-app";
                o.ClientSecret = oidc["ClientSecret"];
                o.ResponseType = "code";
                o.UsePkce = true;
                o.Scope.Clear();
                // offline_access: a refresh token, kept with the other tokens in the site's cookie (the Refresh button spends it).
                foreach (var scope in new[] { "openid", "profile", "phone", "offline_access" }) o.Scope.Add(scope);
                o.GetClaimsFromUserInfoEndpoint = true;
                o.SaveTokens = true;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
                o.RequireHttpsMetadata = o.Authority.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
                // Plain http on loopback in the demo: the handler's cookies must not ask for Secure or SameSite=None there.
                o.CorrelationCookie.SameSite = o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Events.OnRedirectToIdentityProvider = context =>
                {
                    if (context.Properties.Items.TryGetValue("ui_locales", out var locales) && locales is { Length: > 0 })
                        context.ProtocolMessage.UiLocales = locales;
                    return Task.CompletedTask;
                };
            });

        var app = builder.Build();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.MapGet("/", HomePage);
        app.MapGet("/login", (string? lang) =>
        {
            var properties = new AuthenticationProperties { RedirectUri = "/" };
            if (lang is "en" or "zh-CN") properties.Items["ui_locales"] = lang;
            return Results.Challenge(properties, [OpenIdConnectDefaults.AuthenticationScheme]);
        });
        // Logging out everywhere: the site's cookie, then the pool's session through its end_session_endpoint (the handler sends
        // id_token_hint and post_logout_redirect_uri = /signout-callback-oidc, a callback URL registered for the application).
        app.MapGet("/logout", () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        // This site only: the pool's session stays, so the next Log in comes back without a scan.
        app.MapGet("/logout/local", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/");
        });
        app.MapPost("/refresh", SampleRefresh.RefreshAsync);
        app.MapGet("/popup", PopupPage);
        app.MapGet("/popup/start", StartPopupAsync);
        app.MapPost("/popup/redeem", RedeemPopupAsync);
        // Pop-up mode never lands here (the code is posted to the opener), but the URL must be a registered callback.
        app.MapGet("/popup/callback", () => Page("Sample site: callback", "<p id=\"callback\">The authorization response arrived here.</p>"));
        return app;
    }

    private static IResult HomePage(HttpContext http)
    {
        var user = http.User;
        string body;
        if (user.Identity?.IsAuthenticated == true)
        {
            var rows = string.Concat(user.Claims.Where(c => c.Type is "sub" or "name" or "nickname" or "picture" or "phone_number" or "phone_number_verified" or "pool_id")
                .Select(c => $"<tr><th scope=\"row\">{E(c.Type)}</th><td data-claim=\"{E(c.Type)}\">{E(c.Value)}</td></tr>"));
            body = $"""
                <p id="signed-in">Signed in as <strong id="user-name">{E(user.FindFirst("name")?.Value ?? user.FindFirst("sub")?.Value)}</strong>.</p>
                <table><caption>Claims from ScanLogin</caption>{rows}</table>
                {SampleRefresh.Describe(http)}
                <form method="post" action="/refresh"><button id="refresh" type="submit">Refresh tokens</button></form>
                <p><a id="logout" href="/logout">Log out</a> <a id="logout-local" href="/logout/local">Log out of this site only</a></p>
                """;
        }
        else
        {
            body = """
                <p id="signed-out">You are not signed in.</p>
                <p><a id="login" class="button" href="/login">Log in</a> <a href="/login?lang=zh-CN" lang="zh-CN">登录（中文）</a></p>
                <p><a href="/popup">Log in in a pop-up window</a></p>
                """;
        }
        return Page("Sample site", body);
    }

    private static IResult PopupPage(IOptionsMonitor<OpenIdConnectOptions> options)
    {
        var authority = new Uri(options.Get(OpenIdConnectDefaults.AuthenticationScheme).Authority!);
        return Page("Sample site: pop-up login", $"""
            <p>Log in without leaving this page: the hosted login opens in a pop-up and hands the code back to this window.</p>
            <p><button id="popup-login" type="button" data-provider-origin="{E(authority.GetLeftPart(UriPartial.Authority))}">Log in (pop-up)</button></p>
            <pre id="popup-result" aria-live="polite"></pre>
            <script src="/popup.js" defer></script>
            """);
    }

    /// <summary>Builds the authorization request for the pop-up (state and PKCE verifier kept in a cookie) and sends the pop-up there.</summary>
    private static async Task<IResult> StartPopupAsync(HttpContext http, IOptionsMonitor<OpenIdConnectOptions> options)
    {
        var o = options.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await o.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        http.Response.Cookies.Append("sample_popup", $"{state}.{verifier}", new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/popup" });
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = o.ClientId, ["redirect_uri"] = PopupCallback(http), ["scope"] = "openid profile",
            ["state"] = state, ["code_challenge"] = challenge, ["code_challenge_method"] = "S256", ["display"] = "popup",
        };
        return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(configuration.AuthorizationEndpoint, query));
    }

    public sealed record PopupResponse(string? Code, string? State, string? Error);

    /// <summary>Redeems the code the pop-up posted here (checking the state), validates the id_token against the pool's JWKS.</summary>
    private static async Task<IResult> RedeemPopupAsync(PopupResponse response, HttpContext http, IOptionsMonitor<OpenIdConnectOptions> options,
        IHttpClientFactory clients)
    {
        if (http.Request.Cookies["sample_popup"]?.Split('.') is not [var state, var verifier] || response.State != state)
            return Results.BadRequest(new { error = "state does not match" });
        if (response.Error is { } error || response.Code is not { } code) return Results.BadRequest(new { error = response.Error ?? "no code" });
        var o = options.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await o.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
        using var client = clients.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = PopupCallback(http), ["code_verifier"] = verifier,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(o.ClientId!)}:{Uri.EscapeDataString(o.ClientSecret ?? "")}")));
        using var answer = await client.SendAsync(request, http.RequestAborted);
        var tokens = await answer.Content.ReadFromJsonAsync<JsonElement>();
        if (!answer.IsSuccessStatusCode) return Results.BadRequest(tokens);
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.GetProperty("id_token").GetString(), new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = o.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
        });
        if (!validated.IsValid) return Results.BadRequest(new { error = "id_token invalid", detail = validated.Exception?.Message });
        return Results.Ok(new { sub = validated.Claims["sub"], name = validated.Claims.TryGetValue("name", out var name) ? name : null });
    }

    private static string PopupCallback(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}/popup/callback";

    private static IResult Page(string title, string body) => Results.Content($"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{E(title)}</title>
        <link rel="stylesheet" href="/site.css"></head>
        <body><main><h1>{E(title)}</h1>{body}</main></body>
        </html>
        """, "text/html; charset=utf-8");

    private static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
