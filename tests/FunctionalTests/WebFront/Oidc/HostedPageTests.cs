using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>The hosted QR page in headless Chromium: live states, renewal, refusals, and the browser binding.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HostedPageTests(BrowserFixture fixture)
{
    private readonly LoginDriver _driver = new(fixture);

    [Fact]
    public async Task The_page_follows_the_phone_without_reloading_and_returns_a_code_to_the_callback()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var request = _driver.Authorize();
        await page.GotoAsync(request.Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        Assert.Contains(BrowserFixture.AppName, await page.Locator("h1").InnerTextAsync());
        await page.EvaluateAsync("() => { window.__sameDocument = 'yes'; }");
        await BrowserFixture.ScreenshotAsync(page, "hosted-01-pending");

        var picture = await page.Locator("#qr").ScreenshotAsync();
        await using var phoneContext = await fixture.NewContextAsync(width: 400);
        var phone = await PhoneSimulatorPage.OpenAsync(phoneContext, fixture.System.Emulator.BaseAddress);
        var shown = await phone.ScanPictureAsync(picture, "Mei Browser", "13900001111");
        Assert.Contains(BrowserFixture.AppName, shown);
        Assert.Contains(BrowserFixture.SourceName, shown);
        Assert.Contains("HeadlessChrome", shown);
        Assert.Contains("127.0.0.1", shown);
        Assert.Contains("the hosted login page", shown); // requestedVia: hosted_login
        await BrowserFixture.ScreenshotAsync(phone.Page, "simulator-01-scanned");
        await LoginDriver.WaitForStateAsync(page, "scanned");
        // The nickname is whatever the phone sent: shown, but never as verified, and no avatar.
        var status = await page.Locator("#status").InnerTextAsync();
        Assert.Contains("Mei Browser", status);
        Assert.Contains("self-declared", status);
        Assert.Contains("self-declared", await page.Locator("#nickname").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#scanner img").CountAsync());
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
        await BrowserFixture.ScreenshotAsync(page, "hosted-02-scanned");

        await phone.ConfirmAsync();
        await BrowserFixture.ScreenshotAsync(phone.Page, "simulator-02-confirmed");
        var arrived = await _driver.WaitForCallbackAsync(page);
        var query = QueryHelpers.ParseQuery(arrived.Query);
        Assert.Equal(request.State, query["state"].ToString());
        Assert.Equal(fixture.Issuer, query["iss"].ToString());
        Assert.False(string.IsNullOrEmpty(query["code"]));
    }

    [Fact]
    public async Task Over_long_polling_a_cancel_on_the_phone_shows_and_a_new_code_follows()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(_driver.Authorize().Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        // The same page without EventSource: the long-poll fallback must carry every change too.
        await page.GotoAsync(page.Url + "?transport=poll");
        await LoginDriver.WaitForStateAsync(page, "pending");
        var ticketId = await LoginDriver.ReadTicketAsync(page);

        var (_, scanToken) = await _driver.ScanAsync(ticketId, "Mei Poll");
        await LoginDriver.WaitForStateAsync(page, "scanned");
        await _driver.CancelAsync(ticketId, scanToken);
        await LoginDriver.WaitForStateAsync(page, "cancelled");
        Assert.Contains("cancelled", await page.Locator("#status").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "hosted-04-cancelled");

        await page.GetByRole(AriaRole.Button, new() { Name = "Get a new code" }).ClickAsync();
        await LoginDriver.WaitForStateAsync(page, "pending");
        var renewed = await LoginDriver.ReadTicketAsync(page);
        Assert.NotEqual(ticketId, renewed);
        await _driver.ScanAsync(renewed, "Mei Poll");
        await LoginDriver.WaitForStateAsync(page, "scanned");
    }

    [Fact]
    public async Task A_login_only_source_tells_a_new_WeChat_user_there_is_no_account()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(_driver.Authorize(identitySource: BrowserFixture.LoginOnlySource).Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        Assert.Contains("WeChat (members only)", await page.Locator(".source").InnerTextAsync());

        await _driver.ScanAndConfirmAsync(await LoginDriver.ReadTicketAsync(page), "Stranger");
        await LoginDriver.WaitForStateAsync(page, "account-not-found");
        Assert.Contains("no account", await page.Locator("#status").InnerTextAsync());
        Assert.StartsWith(fixture.Issuer, page.Url);
        await BrowserFixture.ScreenshotAsync(page, "hosted-05-account-not-found");
    }

    [Fact]
    public async Task A_redirect_uri_not_registered_gets_an_error_page_and_no_redirect()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(_driver.Authorize(redirectUri: "https://evil.example/callback").Url);
        Assert.Equal(400, response!.Status);
        Assert.StartsWith(fixture.Issuer + "/authorize", page.Url);
        Assert.Contains("redirect_uri", await page.Locator("#error").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "hosted-06-bad-redirect-uri");

        // A registered URI with a different path or case is not "one of the callback URLs" either.
        var near = await page.GotoAsync(_driver.Authorize(redirectUri: fixture.PopupCallback + "/extra").Url);
        Assert.Equal(400, near!.Status);
        Assert.StartsWith(fixture.Issuer, page.Url);
    }

    [Fact]
    public async Task A_second_browser_with_the_same_login_page_and_QR_cannot_finish_the_login()
    {
        await using var first = await fixture.NewContextAsync();
        var page = await first.NewPageAsync();
        await page.GotoAsync(_driver.Authorize().Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        var loginPage = page.Url;
        var ticketId = await LoginDriver.ReadTicketAsync(page);
        // The binding cookie is HttpOnly: the page's own script cannot read it, so neither can injected script.
        Assert.DoesNotContain("scanlogin_login", await page.EvaluateAsync<string>("() => document.cookie"));

        await using var second = await fixture.NewContextAsync();
        var intruder = await second.NewPageAsync();
        var shown = await intruder.GotoAsync(loginPage);
        Assert.Equal(403, shown!.Status);
        Assert.Contains("another browser", await intruder.Locator("#error").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(intruder, "hosted-07-other-browser");

        var (openId, scanToken) = await _driver.ScanAsync(ticketId, "Mei Twice");
        await LoginDriver.WaitForStateAsync(page, "scanned");
        // The intruder watches the same ticket and jumps to completion first: refused, and the real browser still gets the code.
        var stolen = await intruder.GotoAsync(loginPage + "/complete");
        Assert.Equal(403, stolen!.Status);
        var renew = await intruder.APIRequest.PostAsync(loginPage + "/renew", new() { Headers = new Dictionary<string, string> { ["X-Requested-With"] = "scanlogin" } });
        Assert.Equal(403, renew.Status);

        (await Api.ConfirmAsync(fixture.System.B, ticketId, scanToken, await fixture.System.Emulator.PhoneCodeAsync(openId))).EnsureSuccessStatusCode();
        var arrived = await _driver.WaitForCallbackAsync(page);
        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(arrived.Query)["code"]));
    }

    [Fact]
    public async Task The_page_speaks_Chinese_by_Accept_Language_and_English_when_ui_locales_asks()
    {
        await using var chinese = await fixture.NewContextAsync(locale: "zh-CN");
        var page = await chinese.NewPageAsync();
        await page.GotoAsync(_driver.Authorize().Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("登录", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("微信", await page.Locator("#status").InnerTextAsync());
        Assert.Equal("二维码：请用微信扫码登录", await page.GetAttributeAsync("#qr", "alt"));
        await BrowserFixture.ScreenshotAsync(page, "hosted-08-chinese");

        var english = await chinese.NewPageAsync();
        await english.GotoAsync(_driver.Authorize(uiLocales: "en zh-CN").Url);
        await LoginDriver.WaitForStateAsync(english, "pending");
        Assert.Equal("en", await english.GetAttributeAsync("html", "lang"));
        Assert.Contains("Sign in to", await english.Locator("h1").InnerTextAsync());
    }

    [Fact]
    public async Task The_page_is_served_with_a_strict_policy_and_fits_a_360_pixel_screen()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(_driver.Authorize().Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        var headers = await response!.AllHeadersAsync();
        var policy = headers["content-security-policy"];
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Contains($"frame-ancestors {fixture.SampleSite.GetLeftPart(UriPartial.Authority)}", policy);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Equal("no-store", headers["cache-control"]);
        // Nothing scrolls sideways on a 360 px phone, and every control has a name a screen reader can say.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"));
        Assert.Equal("polite", await page.GetAttributeAsync("#status", "aria-live"));
        Assert.False(string.IsNullOrEmpty(await page.GetAttributeAsync("#qr", "alt")));
        // No third-party asset: every script, style and image the page loaded came from ScanLogin itself.
        var origins = await page.EvaluateAsync<string[]>("() => performance.getEntriesByType('resource').map(e => new URL(e.name).origin)");
        Assert.All(origins, origin => Assert.Equal(fixture.ScanLogin.GetLeftPart(UriPartial.Authority), origin));
    }

    [Fact]
    public async Task Ask_binding_through_the_phone_simulator_shows_the_code_the_page_needs_to_create_the_account()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var request = _driver.Authorize(identitySource: BrowserFixture.AskBindingSource);
        await page.GotoAsync(request.Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        var picture = await page.Locator("#qr").ScreenshotAsync();

        await using var phoneContext = await fixture.NewContextAsync(width: 400);
        var phone = await PhoneSimulatorPage.OpenAsync(phoneContext, fixture.System.Emulator.BaseAddress);
        await phone.ScanPictureAsync(picture, "Mei Linking", "139" + Random.Shared.Next(10000000, 99999999));
        var code = await phone.ConfirmForBindingAsync();
        Assert.Matches("^[0-9]{6}$", code);
        await BrowserFixture.ScreenshotAsync(phone.Page, "simulator-03-binding-code");

        await LoginDriver.WaitForStateAsync(page, "binding-required");
        await page.Locator("#bind-new").WaitForAsync();
        await page.Locator("#bind-code").FillAsync(code);
        await page.Locator("#new-username").FillAsync("linked" + Guid.NewGuid().ToString("N")[..8]);
        await page.Locator("#bind-new button").ClickAsync();
        Uri arrived;
        try
        {
            arrived = await _driver.WaitForCallbackAsync(page);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No callback; the page is in state {await page.Locator("#login").GetAttributeAsync("data-state")} and says " +
                $"\"{await page.Locator("#binding-error").InnerTextAsync()}\"");
            throw;
        }
        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(arrived.Query)["code"]));
    }

    [Fact]
    public async Task Ask_binding_links_the_new_WeChat_identity_to_an_existing_account_after_one_wrong_password()
    {
        using var admin = fixture.System.Operator(fixture.System.PlatformKey);
        var username = "member" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.PostAsJsonAsync($"/admin/v1/pools/{fixture.Tenant.PoolId}/users",
            new { username, nickname = "Member Mei", password = "correct horse battery" });
        created.EnsureSuccessStatusCode();
        var memberId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var request = _driver.Authorize(identitySource: BrowserFixture.AskBindingSource);
        await page.GotoAsync(request.Url);
        var bindingCode = await _driver.ScanAndConfirmForBindingAsync(await LoginDriver.ReadTicketAsync(page), "Mei New Phone");
        await LoginDriver.WaitForStateAsync(page, "binding-required");
        await PageTrace.WaitAsync(page, "the binding form", () => page.Locator("#binding").WaitForAsync());
        Assert.True(await page.Locator("#bind-new").IsVisibleAsync());
        Assert.Equal("bind-code", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await BrowserFixture.ScreenshotAsync(page, "hosted-09-ask-binding");

        // Keyboard only: the code the phone shows (a wrong one first), Tab, type, Tab, type, Enter.
        var wrongCode = bindingCode == "000000" ? "000001" : "000000";
        await page.Keyboard.TypeAsync(wrongCode);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(username);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("correct horse battery");
        await page.Keyboard.PressAsync("Enter");
        await PageTrace.WaitAsync(page, "the wrong-code message", () => Assertions.Expect(page.Locator("#binding-error")).ToContainTextAsync("not the code your phone shows"));
        Assert.Equal("bind-code", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        await page.Locator("#bind-code").FillAsync(bindingCode);
        await page.Locator("#bind-password").FillAsync("wrong password");
        await page.Locator("#bind-password").PressAsync("Enter");
        await PageTrace.WaitAsync(page, "the wrong-password message", () => Assertions.Expect(page.Locator("#binding-error")).ToContainTextAsync("Attempts left: 3"));
        await BrowserFixture.ScreenshotAsync(page, "hosted-10-ask-binding-wrong-password");

        await page.Locator("#bind-password").FillAsync("correct horse battery");
        await page.Locator("#bind-password").PressAsync("Enter");
        var arrived = await _driver.WaitForCallbackAsync(page);
        var code = QueryHelpers.ParseQuery(arrived.Query)["code"].ToString();
        using var http = new HttpClient { BaseAddress = fixture.ScanLogin };
        var tokens = await http.PostAsync($"/oidc/{fixture.Tenant.PoolId}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = fixture.PopupCallback,
            ["client_id"] = fixture.Tenant.AppId, ["code_verifier"] = request.Verifier,
        }));
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var idToken = (await tokens.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id_token").GetString()!;
        Assert.Equal(memberId, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(idToken).Subject);
    }
}
