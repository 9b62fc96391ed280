using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>The sample site (ASP.NET Core's stock OpenID Connect handler) signing in through the hosted page, in Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SampleSiteTests(BrowserFixture fixture)
{
    private readonly LoginDriver _driver = new(fixture);

    [Fact]
    public async Task Log_in_scan_with_the_simulator_and_land_back_signed_in_as_that_user()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.SampleSite.ToString());
        await BrowserFixture.ScreenshotAsync(page, "sample-01-signed-out");
        await page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
        await LoginDriver.WaitForStateAsync(page, "pending");
        Assert.StartsWith($"{fixture.Issuer}/login/", page.Url);
        await page.EvaluateAsync("() => { window.__sameDocument = 'yes'; }");

        var qrText = await LoginDriver.ReadQrAsync(page);
        await using var phoneContext = await fixture.NewContextAsync(width: 400);
        var phone = await PhoneSimulatorPage.OpenAsync(phoneContext, fixture.System.Emulator.BaseAddress);
        await phone.ScanAsync(qrText, "Mei Sample", "13900002222");
        await LoginDriver.WaitForStateAsync(page, "scanned");
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
        await phone.ConfirmAsync();

        await PageTrace.WaitAsync(page, "the sample site signed in", () =>
            page.Locator("#signed-in").WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));
        Assert.StartsWith(fixture.SampleSite.ToString(), page.Url);
        Assert.Equal("Mei Sample", await page.Locator("#user-name").InnerTextAsync());
        var subject = await page.Locator("[data-claim='sub']").InnerTextAsync();
        var user = await fixture.System.Grains.GetGrain<IUserPoolGrain>(fixture.Tenant.PoolId).GetUserAsync(subject);
        Assert.NotNull(user);
        Assert.Equal("Mei Sample", user.Nickname);
        Assert.Equal("+8613900002222", await page.Locator("[data-claim='phone_number']").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "sample-02-signed-in");
    }

    [Fact]
    public async Task An_expired_code_is_replaced_with_one_key_press_and_the_new_one_logs_in()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.SampleSite, "login").ToString());
        await LoginDriver.WaitForStateAsync(page, "pending");
        var first = await LoginDriver.ReadTicketAsync(page);

        fixture.System.Time.Advance(IdentitySourceSettings.DefaultTicketLifetime + TimeSpan.FromSeconds(1));
        await LoginDriver.WaitForStateAsync(page, "expired");
        Assert.Contains("expired", await page.Locator("#status").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "hosted-03-expired");
        // The refresh button has the focus: Enter alone gets a new code.
        Assert.Equal("refresh", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.PressAsync("Enter");
        await LoginDriver.WaitForStateAsync(page, "pending");
        await PageTrace.WaitAsync(page, "a new QR picture", () => page.WaitForFunctionAsync("first => !document.getElementById('qr').src.includes(first)", first));
        var second = await LoginDriver.ReadTicketAsync(page);
        Assert.NotEqual(first, second);

        await _driver.ScanAndConfirmAsync(second, "Mei Renewed");
        await PageTrace.WaitAsync(page, "the sample site signed in", () =>
            page.Locator("#signed-in").WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));
        Assert.Equal("Mei Renewed", await page.Locator("#user-name").InnerTextAsync());
    }

    [Fact]
    public async Task Pop_up_mode_posts_the_code_to_the_opening_page_which_redeems_it()
    {
        await using var context = await fixture.NewContextAsync(width: 800);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.SampleSite, "popup").ToString());
        var popup = await page.RunAndWaitForPopupAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Log in (pop-up)" }).ClickAsync());
        await LoginDriver.WaitForStateAsync(popup, "pending");
        await BrowserFixture.ScreenshotAsync(popup, "popup-01-pending");
        var closed = new TaskCompletionSource();
        popup.Close += (_, _) => closed.TrySetResult();

        await _driver.ScanAndConfirmAsync(await LoginDriver.ReadTicketAsync(popup), "Mei Popup");
        await PageTrace.WaitAsync(popup, "the pop-up closing itself", () => closed.Task.WaitAsync(TimeSpan.FromMilliseconds(BrowserFixture.WaitTimeout)));
        var result = page.Locator("#popup-result[data-state='signed-in']");
        await PageTrace.WaitAsync(page, "the opener signed in", () => result.WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));
        Assert.Contains("Mei Popup", await result.InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "popup-02-opener-signed-in");
    }

    [Fact]
    public async Task A_code_redeems_once_for_tokens_and_userinfo_and_a_replay_is_refused()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var request = _driver.Authorize();
        await page.GotoAsync(request.Url);
        await _driver.ScanAndConfirmAsync(await LoginDriver.ReadTicketAsync(page), "Mei Replay");
        var code = QueryHelpers.ParseQuery((await _driver.WaitForCallbackAsync(page)).Query)["code"].ToString();

        using var http = new HttpClient { BaseAddress = fixture.ScanLogin };
        HttpRequestMessage Redeem() => new(HttpMethod.Post, $"/oidc/{fixture.Tenant.PoolId}/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = fixture.PopupCallback, ["code_verifier"] = request.Verifier,
            }),
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{fixture.Tenant.AppId}:{fixture.Tenant.AppSecret}"))) },
        };
        var first = await http.SendAsync(Redeem());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());
        var tokens = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.InRange(tokens.GetProperty("expires_in").GetInt32(), 3000, 3600);

        var keys = new JsonWebKeySet(await http.GetStringAsync($"/oidc/{fixture.Tenant.PoolId}/jwks"));
        var idToken = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.GetProperty("id_token").GetString(), new TokenValidationParameters
        {
            ValidIssuer = fixture.Issuer,
            ValidAudience = fixture.Tenant.AppId,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidTypes = ["JWT"],
        });
        Assert.True(idToken.IsValid, idToken.Exception?.Message);
        Assert.Equal(request.Nonce, idToken.Claims["nonce"]);

        using var userinfo = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{fixture.Tenant.PoolId}/userinfo");
        userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        var claims = await (await http.SendAsync(userinfo)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(idToken.Claims["sub"], claims.GetProperty("sub").GetString());
        Assert.Equal("Mei Replay", claims.GetProperty("name").GetString());

        var replay = await http.SendAsync(Redeem());
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }
}
