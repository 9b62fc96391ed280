using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>The hosted page opened on a phone: "Open in WeChat" follows a WeChat link to the mini program's confirm page for the ticket.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SamePhoneTests(BrowserFixture fixture)
{
    private const string WeChatOnIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " +
                                          "Mobile/15E148 MicroMessenger/8.0.44(0x18002c2e) NetType/WIFI Language/zh_CN";
    private const string ChromeOnAndroid = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36";

    private readonly LoginDriver _driver = new(fixture);

    private Task<IBrowserContext> PhoneAsync(string userAgent, string locale = "en-US") => fixture.Browser.NewContextAsync(new BrowserNewContextOptions
    {
        UserAgent = userAgent, Locale = locale, ViewportSize = new ViewportSize { Width = 360, Height = 760 }, IsMobile = true, HasTouch = true,
    });

    /// <summary>Where WeChat opens a link: the emulator plays the phone that follows it.</summary>
    private async Task<JsonNode> OpenAsync(string url) =>
        (await fixture.System.Emulator.Http.GetFromJsonAsync<JsonNode>($"__emulator/links/open?url={Uri.EscapeDataString(url)}"))!;

    [Fact]
    public async Task On_a_phone_the_page_offers_open_in_wechat_for_its_ticket_and_completes_when_the_user_comes_back()
    {
        await using var context = await PhoneAsync(ChromeOnAndroid);
        var page = await context.NewPageAsync();
        var request = _driver.Authorize();
        await page.GotoAsync(request.Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        var button = page.GetByRole(AriaRole.Link, new() { Name = "Open in WeChat" });
        await button.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        var href = await button.GetAttributeAsync("href");
        Assert.StartsWith("https://wxaurl.cn/", href);
        await BrowserFixture.ScreenshotAsync(page, "hosted-same-phone-01-pending");

        var ticketId = await LoginDriver.ReadTicketAsync(page);
        var landing = await OpenAsync(href!);
        Assert.Equal("pages/confirm/confirm", landing["path"]!.GetValue<string>());
        Assert.Equal("ticket=" + ticketId, landing["query"]!.GetValue<string>());

        // The user confirms in WeChat while the browser is in the background (offline here), then comes back to it:
        // the page picks the ticket up again and completes.
        await context.SetOfflineAsync(true);
        await _driver.ScanAndConfirmAsync(ticketId, "Mei Phone");
        await context.SetOfflineAsync(false);
        try
        {
            await page.EvaluateAsync("() => document.dispatchEvent(new Event('visibilitychange'))");
        }
        catch (PlaywrightException)
        {
            // The page heard the confirm first and is already on its way to the callback.
        }
        var arrived = await _driver.WaitForCallbackAsync(page);
        Assert.Equal(request.State, QueryHelpers.ParseQuery(arrived.Query)["state"].ToString());
    }

    [Fact]
    public async Task In_wechats_browser_the_button_is_in_chinese_and_a_new_code_gets_a_new_link_while_desktops_get_none()
    {
        await using var context = await PhoneAsync(WeChatOnIPhone, "zh-CN");
        var page = await context.NewPageAsync();
        await page.GotoAsync(_driver.Authorize(uiLocales: "zh-CN").Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        var button = page.GetByRole(AriaRole.Link, new() { Name = "在微信中打开" });
        await button.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        var first = await button.GetAttributeAsync("href");
        await BrowserFixture.ScreenshotAsync(page, "hosted-same-phone-02-wechat-zh");

        var ticketId = await LoginDriver.ReadTicketAsync(page);
        var (_, scanToken) = await _driver.ScanAsync(ticketId, "Mei");
        await _driver.CancelAsync(ticketId, scanToken);
        await LoginDriver.WaitForStateAsync(page, "cancelled");
        Assert.False(await button.IsVisibleAsync()); // a finished ticket's link would only say so
        await page.Locator("#refresh").ClickAsync();
        await LoginDriver.WaitForStateAsync(page, "pending");
        await page.WaitForFunctionAsync("(old) => { const a = document.getElementById('open-in-wechat'); return a && a.href !== old && !a.closest('[hidden]'); }", first);
        var renewed = await LoginDriver.ReadTicketAsync(page);
        Assert.Equal("ticket=" + renewed, (await OpenAsync((await button.GetAttributeAsync("href"))!))["query"]!.GetValue<string>());

        await using var desktop = await fixture.NewContextAsync(width: 1024);
        var pc = await desktop.NewPageAsync();
        await pc.GotoAsync(_driver.Authorize().Url);
        await LoginDriver.WaitForStateAsync(pc, "pending");
        Assert.Equal(0, await pc.Locator("#open-in-wechat").CountAsync());
    }
}
