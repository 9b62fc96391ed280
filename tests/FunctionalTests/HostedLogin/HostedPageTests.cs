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

        var ticketId = await LoginDriver.ReadTicketAsync(page);
        var (openId, scanToken) = await _driver.ScanAsync(ticketId, "Mei Browser");
        await LoginDriver.WaitForStateAsync(page, "scanned");
        Assert.Contains("Mei Browser", await page.Locator("#status").InnerTextAsync());
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
        await BrowserFixture.ScreenshotAsync(page, "hosted-02-scanned");

        var confirmed = await Api.ConfirmAsync(fixture.System.B, ticketId, scanToken, await fixture.System.Emulator.PhoneCodeAsync(openId));
        confirmed.EnsureSuccessStatusCode();
        var arrived = await _driver.WaitForCallbackAsync(page);
        var query = QueryHelpers.ParseQuery(arrived.Query);
        Assert.Equal(request.State, query["state"].ToString());
        Assert.Equal(fixture.Issuer, query["iss"].ToString());
        Assert.False(string.IsNullOrEmpty(query["code"]));
    }
}
