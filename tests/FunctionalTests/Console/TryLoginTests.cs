using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ScanLogin.FunctionalTests.HostedLogin;
using Xunit;

namespace ScanLogin.FunctionalTests.OperatorConsole;

/// <summary>Try login (体验登录): a real hosted login from the console that comes back to ScanLogin itself, and nothing more.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TryLoginTests(ConsoleFixture fixture)
{
    /// <summary>A pool with one application (no callback URL, no origin) and one enabled WeChat source for it, made through the admin API.</summary>
    private async Task<(string PoolId, string AppId)> CreateTenantAsync()
    {
        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await platform.PostAsJsonAsync("/admin/v1/pools", new { id = poolId, name = "Try" })).StatusCode);
        var app = await (await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/applications", new { name = "Try site" })).Content.ReadFromJsonAsync<JsonObject>();
        var appId = app!["application"]!["appId"]!.GetValue<string>();
        var source = await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/identity-sources",
            new { identifier = "wechat-scan", displayName = "WeChat", applicationIds = new[] { appId } });
        Assert.Equal(HttpStatusCode.Created, source.StatusCode);
        return (poolId, appId);
    }

    [Fact]
    public async Task Try_login_runs_a_real_hosted_login_in_a_pop_up_and_shows_the_user_and_the_ID_token_claims()
    {
        var (poolId, appId) = await CreateTenantAsync();
        var page = await fixture.SignInAsync(fixture.System.PlatformKey, width: 1024);
        await page.GotoAsync(fixture.Url($"/pools/{poolId}/applications/{appId}"));
        await ConsoleFixture.ScreenshotAsync(page, "try-login-start");

        var popup = await page.RunAndWaitForPopupAsync(() => page.Locator("#try-login-button").ClickAsync());
        await Assertions.Expect(popup).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/oidc/{poolId}/login/"));
        var qr = await LoginDriver.ReadQrAsync(popup);
        await BrowserFixture.ScreenshotAsync(popup, "console-try-login-popup");
        await Assertions.Expect(page.Locator("#try-result")).ToContainTextAsync("Waiting for the phone");

        var phoneContext = await fixture.NewContextAsync();
        var phone = await PhoneSimulatorPage.OpenAsync(phoneContext, fixture.System.Emulator.BaseAddress);
        var shown = await phone.ScanAsync(qr, "Try Mei", "13800138123");
        Assert.Contains("Try site", shown);
        await phone.ConfirmAsync();

        await Assertions.Expect(page.Locator("#try-signed-in")).ToContainTextAsync("Try Mei", new() { Timeout = 15_000 });
        var claims = JsonNode.Parse(await page.Locator("#try-claims").InnerTextAsync())!;
        Assert.Equal(appId, claims["idTokenClaims"]!["aud"]!.ToString());
        Assert.EndsWith($"/oidc/{poolId}", claims["idTokenClaims"]!["iss"]!.GetValue<string>());
        Assert.Equal(claims["user"]!["id"]!.GetValue<string>(), claims["idTokenClaims"]!["sub"]!.GetValue<string>());
        await ConsoleFixture.ScreenshotAsync(page, "try-login-done");
        await phoneContext.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_script_Try_login_offers_links_to_the_login_and_its_result()
    {
        var (poolId, appId) = await CreateTenantAsync();
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Url("/signin"));
        await page.Locator("#key").FillAsync(fixture.System.PlatformKey);
        await page.Locator("#sign-in").ClickAsync();
        await page.GotoAsync(fixture.Url($"/pools/{poolId}/applications/{appId}"));
        await page.Locator("#try-login-button").ClickAsync();
        var login = page.Locator("#try-links a").First;
        await Assertions.Expect(login).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex($"/oidc/{poolId}/authorize\\?.*try-login%2Fcallback"));
        await page.Locator("#try-links a").Nth(1).ClickAsync();
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("\"status\":\"pending\"");
        await context.CloseAsync();
    }

    [Fact]
    public async Task The_try_login_callback_is_accepted_only_for_the_one_authorization_the_admin_API_opened()
    {
        var (poolId, appId) = await CreateTenantAsync();
        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        var opened = await (await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/applications/{appId}/try-login", new { identitySource = "wechat-scan" }))
            .Content.ReadFromJsonAsync<JsonObject>();
        var authorize = new Uri(opened!["authorizeUrl"]!.GetValue<string>());
        var callback = System.Web.HttpUtility.ParseQueryString(authorize.Query)["redirect_uri"]!;
        Assert.EndsWith($"/oidc/{poolId}/try-login/callback", callback);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.ScanLogin };
        string Rewrite(string name, string value)
        {
            var q = System.Web.HttpUtility.ParseQueryString(authorize.Query);
            q[name] = value;
            return authorize.AbsolutePath + "?" + q;
        }

        // Another state (no try opened with it), or the try's state with another PKCE challenge: the callback is not a redirect URI.
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(Rewrite("state", "AAAAAAAAAAAAAAAAAAAAAA"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(Rewrite("code_challenge", new string('x', 43)))).StatusCode);
        // The try's own request is admitted once; the same URL again is refused.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(authorize.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(authorize.PathAndQuery)).StatusCode);

        // A pool key of another pool neither opens a try for this application nor reads this one.
        var other = "pool-" + Guid.NewGuid().ToString("N")[..8];
        await platform.PostAsJsonAsync("/admin/v1/pools", new { id = other, name = "Other" });
        var otherKey = (await (await platform.PostAsJsonAsync($"/admin/v1/pools/{other}/api-keys", new { name = "x" })).Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        using var stranger = fixture.System.Operator(otherKey);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync($"/admin/v1/pools/{poolId}/applications/{appId}/try-login", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync($"/admin/v1/pools/{other}/applications/{appId}/try-login", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/admin/v1/pools/{poolId}/applications/{appId}/try-login/{opened["tryLoginId"]}")).StatusCode);
        var status = await platform.GetFromJsonAsync<JsonObject>($"/admin/v1/pools/{poolId}/applications/{appId}/try-login/{opened["tryLoginId"]}");
        Assert.Equal("pending", status!["status"]!.GetValue<string>());

        // The callback without an admitted try in progress ends nothing and redeems nothing.
        var stray = await browser.GetAsync($"/oidc/{poolId}/try-login/callback?code=a.b&state=AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.BadRequest, stray.StatusCode);
    }
}
