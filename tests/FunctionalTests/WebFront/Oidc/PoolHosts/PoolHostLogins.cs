using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScanLogin.FunctionalTests.HostedLogin;
using Xunit;

namespace ScanLogin.FunctionalTests.PoolHosts;

/// <summary>A browser's and a site backend's part of a login on a pool's own host, over plain HTTP; the phone is played through front end B.</summary>
public sealed partial class PoolHostLogins(PoolHostFixture fixture)
{
    public const string Verifier = "pool-host-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

    /// <summary>An authorization request to <paramref name="baseUrl"/> (a pool host, or the path form's issuer) calling back to the site.</summary>
    public string AuthorizeUrl(string baseUrl, Tenant tenant, string state = "st") => QueryHelpers.AddQueryString(baseUrl + "/authorize", new Dictionary<string, string?>
    {
        ["response_type"] = "code", ["client_id"] = tenant.AppId, ["redirect_uri"] = fixture.AppCallback, ["scope"] = "openid profile phone",
        ["state"] = state, ["nonce"] = "n", ["code_challenge"] = LoginDriver.Challenge(Verifier), ["code_challenge_method"] = "S256",
    });

    /// <summary>Starts at <paramref name="startUrl"/>, plays the phone, completes: answers the login page's URL and where the browser was sent.</summary>
    public async Task<(Uri LoginPage, Uri Callback)> LoginAsync(HttpClient browser, string startUrl)
    {
        var started = await browser.GetAsync(startUrl);
        Assert.True(started.StatusCode == HttpStatusCode.Redirect, $"The start answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        var loginPage = new Uri(new Uri(startUrl), started.Headers.Location!);
        var html = await browser.GetStringAsync(loginPage);
        var ticketId = TicketInPage().Match(html).Groups[1].Value;
        Assert.Equal(22, ticketId.Length);
        var emulator = fixture.System.Emulator;
        var openId = await emulator.CreateUserAsync();
        var scan = await Api.ScanOkAsync(fixture.System.B, ticketId, await emulator.LoginCodeAsync(openId));
        (await Api.ConfirmAsync(fixture.System.B, ticketId, scan.ScanToken, await emulator.PhoneCodeAsync(openId))).EnsureSuccessStatusCode();
        var completed = await browser.GetAsync(loginPage + "/complete");
        Assert.True(completed.StatusCode == HttpStatusCode.Redirect, $"Complete answered {(int)completed.StatusCode}: {await completed.Content.ReadAsStringAsync()}");
        return (loginPage, completed.Headers.Location!);
    }

    /// <summary>The site's backend redeems a code at <paramref name="baseUrl"/>/token with its secret (Basic) or a PKCE verifier.</summary>
    public static async Task<HttpResponseMessage> RedeemAsync(string baseUrl, Tenant tenant, string code, string redirectUri, bool withSecret, bool withVerifier = false)
    {
        using var backend = PoolHostFixture.Client();
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        if (withVerifier) form["code_verifier"] = Verifier;
        if (!withSecret) form["client_id"] = tenant.AppId;
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/token") { Content = new FormUrlEncodedContent(form) };
        if (withSecret) request.Headers.Authorization = Api.AppCredentials(tenant.AppId, tenant.AppSecret);
        return await backend.SendAsync(request);
    }

    /// <summary>
    /// Verifies a token against the JWKS served at <paramref name="issuer"/>/jwks (or <paramref name="servedAt"/>/jwks, for a custom
    /// domain's issuer, which names the operator's proxy and no test port), requiring that issuer.
    /// </summary>
    public static async Task<JsonWebToken> VerifyAsync(string issuer, string token, string appId, string type = "JWT", string? servedAt = null)
    {
        using var site = PoolHostFixture.Client();
        var keys = new JsonWebKeySet(await site.GetStringAsync((servedAt ?? issuer) + "/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer, ValidAudience = appId, IssuerSigningKeys = keys.GetSigningKeys(), ValidTypes = [type],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static Dictionary<string, string> Query(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    [GeneratedRegex("/api/tickets/([A-Za-z0-9_-]{22})/qr\\.png")]
    private static partial Regex TicketInPage();
}
