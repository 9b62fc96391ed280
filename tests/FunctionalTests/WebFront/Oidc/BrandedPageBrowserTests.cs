using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using ScanLogin.FunctionalTests.Admin;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>The branded hosted page in headless Chromium: the application's look in light and dark, through the page's states, under an unchanged policy.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrandedPageBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_hosted_page_shows_the_applications_colours_title_notice_and_logo_in_light_and_dark_under_the_same_policy()
    {
        var (poolId, appId) = await BrandedApplicationAsync();
        var admin = new AdminClient(fixture.System.Operator(fixture.System.PlatformKey));
        var logos = new Dictionary<string, string>();
        foreach (var scheme in new[] { "light", "dark" })
        {
            var put = await admin.PutLogoAsync($"/admin/v1/pools/{poolId}/applications/{appId}/branding/{scheme}/logo", TestLogos.Png(scheme == "light" ? 96 : 128), "image/png");
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            logos[scheme] = JsonNode.Parse(await put.Content.ReadAsStringAsync())!["branding"]![scheme]!["logoHash"]!.GetValue<string>();
        }

        await using var context = await fixture.NewContextAsync();
        // The unbranded application of the fixture (same allowed origins): the policy its page is served with.
        var plainPage = await context.NewPageAsync();
        var plain = await plainPage.GotoAsync(new LoginDriver(fixture).Authorize().Url);
        var plainPolicy = (await plain!.AllHeadersAsync())["content-security-policy"];

        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Add(message.Text); };
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        var response = await page.GotoAsync(AuthorizeUrl(poolId, appId));
        await LoginDriver.WaitForStateAsync(page, "pending");
        Assert.Equal(plainPolicy, (await response!.AllHeadersAsync())["content-security-policy"]);

        Assert.Equal("Branded sign-in", await page.Locator("h1").InnerTextAsync());
        Assert.Equal("Branded sign-in", await page.TitleAsync());
        Assert.Equal("Staff: use the <company> WeChat.", await page.Locator("#notice").InnerTextAsync());
        await AssertLookAsync(page, background: "rgb(255, 248, 231)", primary: "rgb(200, 16, 46)", logo: logos["light"]);
        await BrowserFixture.ScreenshotAsync(page, "branded-01-light");

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await AssertLookAsync(page, background: "rgb(16, 20, 24)", primary: "rgb(255, 107, 129)", logo: logos["dark"]);
        await BrowserFixture.ScreenshotAsync(page, "branded-02-dark");

        // A later state of the QR page keeps the look: the scanned code is framed in the primary colour.
        var ticketId = await page.EvaluateAsync<string>("() => JSON.parse(document.getElementById('login-data').textContent).ticketId");
        await new LoginDriver(fixture).ScanAsync(ticketId, "Mei Brand");
        await LoginDriver.WaitForStateAsync(page, "scanned");
        Assert.Equal("rgb(255, 107, 129)", await page.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('qr')).borderTopColor"));
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        Assert.Equal("rgb(200, 16, 46)", await page.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('qr')).borderTopColor"));
        await BrowserFixture.ScreenshotAsync(page, "branded-03-scanned-light");

        Assert.Empty(violations);
    }

    /// <summary>Page background, the primary colour on the page's button, and which logo the picture shows (loaded, so the policy let it in).</summary>
    private static async Task AssertLookAsync(IPage page, string background, string primary, string logo)
    {
        Assert.Equal(background, await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        Assert.Equal(primary, await page.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('refresh')).backgroundColor"));
        await PageTrace.WaitAsync(page, $"the logo {logo} shown", () => page.WaitForFunctionAsync(
            "hash => { const i = document.getElementById('app-logo'); return i.complete && i.naturalWidth > 0 && i.currentSrc.endsWith('/' + hash + '.png'); }",
            logo, new PageWaitForFunctionOptions { Timeout = BrowserFixture.WaitTimeout }));
    }

    /// <summary>A pool of its own (so the fixture's application keeps its plain look) with a branded application and an identity source for it.</summary>
    private async Task<(string PoolId, string AppId)> BrandedApplicationAsync()
    {
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        var appId = "app-" + Guid.NewGuid().ToString("N")[..8];
        var grains = fixture.System.Grains;
        await grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "Branded pool",
            Branding: new Branding(Title: "Pool title (the application's wins)", Light: new BrandingTheme(BackgroundColor: "#000000"))));
        await grains.GetGrain<IApplicationGrain>(appId).SaveAsync(new ApplicationSettings(appId, poolId, "Branded shop", null,
            [fixture.SampleSite.GetLeftPart(UriPartial.Authority)], [fixture.PopupCallback],
            Branding: new Branding("Branded sign-in", "Staff: use the <company> WeChat.",
                new BrandingTheme("#c8102e", "#fff8e7"), new BrandingTheme("#ff6b81", "#101418"))), "app-secret-" + Guid.NewGuid().ToString("N"));
        await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, Tenant.Source)).SaveAsync(
            new IdentitySourceSettings(poolId, Tenant.Source, "WeChat", null, true, false, null, LoginMode.LoginAndRegister, AccountAssociation.Off,
                IdentitySourceSettings.DefaultTicketLifetime, [appId]), null);
        return (poolId, appId);
    }

    private string AuthorizeUrl(string poolId, string appId) =>
        QueryHelpers.AddQueryString(new Uri(fixture.ScanLogin, $"oidc/{poolId}/authorize").ToString(), new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = appId, ["redirect_uri"] = fixture.PopupCallback, ["scope"] = "openid", ["state"] = "st",
            ["code_challenge"] = LoginDriver.Challenge("v".PadRight(43, 'v')), ["code_challenge_method"] = "S256",
        });
}
