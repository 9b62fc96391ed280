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

        var qrText = await LoginDriver.ReadQrAsync(page);
        await using var phoneContext = await fixture.NewContextAsync(width: 400);
        var phone = await PhoneSimulatorPage.OpenAsync(phoneContext, fixture.System.Emulator.BaseAddress);
        var shown = await phone.ScanAsync(qrText, "Mei Browser", "13900001111");
        Assert.Contains(BrowserFixture.AppName, shown);
        Assert.Contains(BrowserFixture.SourceName, shown);
        Assert.Contains("HeadlessChrome", shown);
        Assert.Contains("127.0.0.1", shown);
        await BrowserFixture.ScreenshotAsync(phone.Page, "simulator-01-scanned");
        await LoginDriver.WaitForStateAsync(page, "scanned");
        Assert.Contains("Mei Browser", await page.Locator("#status").InnerTextAsync());
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
}
