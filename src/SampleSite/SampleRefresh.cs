using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ScanLogin.SampleSite;

/// <summary>
/// The Refresh button: the stock handler keeps the tokens (SaveTokens) but never refreshes them, so the site spends its
/// refresh token at the token endpoint itself (grant_type=refresh_token, client_secret_basic) and stores the rotated answer.
/// </summary>
public static class SampleRefresh
{
    /// <summary>What the page shows about the stored tokens: the access token's id and expiry, whether a refresh token is kept.</summary>
    public static string Describe(HttpContext http)
    {
        var result = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
        var access = result?.Properties?.GetTokenValue("access_token");
        var jti = access is null ? null : new JsonWebToken(access).Id;
        var refreshed = result?.Properties?.Items.TryGetValue("refreshed", out var count) == true ? count : "0";
        var hasRefresh = result?.Properties?.GetTokenValue("refresh_token") is { Length: > 0 };
        var e = HtmlEncoder.Default;
        return $"""
            <p>Access token <code id="access-token-id">{e.Encode(jti ?? "")}</code>, expires {e.Encode(result?.Properties?.GetTokenValue("expires_at") ?? "")};
            refresh token: <span id="has-refresh-token">{(hasRefresh ? "yes" : "no")}</span>; refreshed <span id="refresh-count">{e.Encode(refreshed ?? "0")}</span> times.</p>
            """;
    }

    public static async Task<IResult> RefreshAsync(HttpContext http, IOptionsMonitor<OpenIdConnectOptions> options, IHttpClientFactory clients)
    {
        var current = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!current.Succeeded || current.Properties?.GetTokenValue("refresh_token") is not { } refreshToken) return Results.Redirect("/");
        var o = options.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await o.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
        using var client = clients.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(o.ClientId!)}:{Uri.EscapeDataString(o.ClientSecret ?? "")}")));
        using var answer = await client.SendAsync(request, http.RequestAborted);
        var tokens = await answer.Content.ReadFromJsonAsync<JsonElement>();
        if (!answer.IsSuccessStatusCode)
        {
            // The family was revoked (a logout elsewhere, an operator, a reused token): this site's sign-in is over too.
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/?refresh_failed=" + Uri.EscapeDataString(tokens.TryGetProperty("error", out var error) ? error.GetString() ?? "" : ""));
        }
        var properties = current.Properties!;
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = "access_token", Value = tokens.GetProperty("access_token").GetString()! },
            new AuthenticationToken { Name = "id_token", Value = tokens.GetProperty("id_token").GetString()! },
            new AuthenticationToken { Name = "refresh_token", Value = tokens.GetProperty("refresh_token").GetString()! },
            new AuthenticationToken { Name = "token_type", Value = "Bearer" },
            new AuthenticationToken
            {
                Name = "expires_at",
                Value = DateTimeOffset.UtcNow.AddSeconds(tokens.GetProperty("expires_in").GetInt32()).ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            },
        ]);
        properties.Items["refreshed"] = ((properties.Items.TryGetValue("refreshed", out var n) && int.TryParse(n, out var count) ? count : 0) + 1).ToString();
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, current.Principal!, properties);
        return Results.Redirect("/");
    }
}
