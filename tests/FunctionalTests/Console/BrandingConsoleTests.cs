using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit;

namespace ScanLogin.FunctionalTests.OperatorConsole;

/// <summary>The console's branding section: saved through the admin API, refusals shown by field, and a live preview of the saved look.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class BrandingConsoleTests(ConsoleFixture fixture)
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task An_operator_brands_an_application_from_its_page_sees_a_wrong_colour_refused_by_field_and_previews_the_saved_look()
    {
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        Assert.Equal(201, (int)(await platform.PostAsJsonAsync("/admin/v1/pools", new { id = poolId, name = "Shop" })).StatusCode);
        var created = await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/applications", new { name = "Shop web" });
        var appId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["application"]!["appId"]!.GetValue<string>();

        var page = await fixture.SignInAsync(fixture.System.PlatformKey, width: 900);
        await page.GotoAsync(fixture.Url($"/pools/{poolId}/applications/{appId}#branding"));
        await page.Locator("#branding-title").FillAsync("Shop staff sign-in");
        await page.Locator("#branding-notice").FillAsync("Use the company WeChat.");
        await page.Locator("#branding-light-primary").FillAsync("red");
        await page.Locator("#save-branding").ClickAsync();
        await Expect(page.Locator("[id='err-branding.light.primaryColor']")).ToBeVisibleAsync();
        await Expect(page.Locator("#branding-light-primary")).ToHaveAttributeAsync("aria-describedby", "err-branding.light.primaryColor");

        await page.Locator("#branding-light-primary").FillAsync("#C8102E");
        await page.Locator("#branding-dark-background").FillAsync("#101418");
        await page.Locator("#save-branding").ClickAsync();
        await Expect(page.Locator("#branding-light-primary")).ToHaveValueAsync("#c8102e");
        Assert.Contains($"/pools/{poolId}/applications/{appId}", page.Url);
        await ConsoleFixture.ScreenshotAsync(page, "branding-saved");

        var stored = JsonNode.Parse(await platform.GetStringAsync($"/admin/v1/pools/{poolId}/applications/{appId}"))!["branding"]!;
        Assert.Equal("Shop staff sign-in", stored["title"]!.GetValue<string>());
        Assert.Equal("#101418", stored["dark"]!["backgroundColor"]!.GetValue<string>());

        var preview = await page.Locator("a.branding-preview").GetAttributeAsync("href");
        Assert.EndsWith($"/oidc/{poolId}/branding/{appId}/preview", preview);
        var previewPage = await page.Context.NewPageAsync();
        await previewPage.GotoAsync(preview!);
        await Expect(previewPage.Locator("h1")).ToHaveTextAsync("Shop staff sign-in");
        await Expect(previewPage.Locator("#notice")).ToHaveTextAsync("Use the company WeChat.");
        Assert.Equal("rgb(200, 16, 46)", await previewPage.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('refresh')).backgroundColor"));
        await ConsoleFixture.ScreenshotAsync(previewPage, "branding-preview");
        await page.Context.CloseAsync();
    }
}
