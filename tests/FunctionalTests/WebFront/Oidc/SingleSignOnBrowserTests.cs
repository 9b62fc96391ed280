using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using ScanLogin.Grains.Interfaces;
using ScanLogin.SampleSite;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// Single sign-on in Chromium across two sample sites (two applications of one pool, each on the stock OpenID Connect
/// handler): a scan signs in to site A, site B then signs in without a scan, refreshes its tokens, and logging out of site A
/// (RP-initiated, through end_session) ends the pool session, so site B's next login is a scan again.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SingleSignOnBrowserTests(BrowserFixture fixture)
{
    private readonly LoginDriver _driver = new(fixture);

    [Fact]
    public async Task A_scan_in_site_A_signs_in_site_B_without_a_scan_and_logging_out_of_A_ends_it()
    {
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        var siteA = new Uri($"http://127.0.0.1:{TestPorts.FreePort()}/");
        var siteB = new Uri($"http://127.0.0.1:{TestPorts.FreePort()}/");
        var grains = fixture.System.Grains;
        await grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "SSO pool", SessionEnabled: true));
        var apps = new List<string>();
        var sites = new List<WebApplication>();
        try
        {
            foreach (var site in new[] { siteA, siteB })
            {
                var appId = "app-" + Guid.NewGuid().ToString("N")[..8];
                var secret = "secret-" + Guid.NewGuid().ToString("N");
                await grains.GetGrain<IApplicationGrain>(appId).SaveAsync(new ApplicationSettings(appId, poolId, $"Site {apps.Count + 1}", null,
                    [site.GetLeftPart(UriPartial.Authority)], [new Uri(site, "signin-oidc").ToString(), new Uri(site, "signout-callback-oidc").ToString()]), secret);
                apps.Add(appId);
                var app = SampleSiteApp.Create([], builder =>
                {
                    builder.WebHost.UseUrls(site.ToString());
                    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                    {
                        ["Oidc:Authority"] = new Uri(fixture.ScanLogin, $"oidc/{poolId}").ToString(),
                        ["Oidc:ClientId"] = appId,
                        ["Oidc:ClientSecret"] = secret,
                    });
                });
                await app.StartAsync();
                sites.Add(app);
            }
            await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat")).SaveAsync(
                new IdentitySourceSettings(poolId, "wechat", BrowserFixture.SourceName, null, true, false, null, LoginMode.LoginAndRegister,
                    AccountAssociation.Off, IdentitySourceSettings.DefaultTicketLifetime, [.. apps]), null);

            await using var context = await fixture.NewContextAsync(width: 800);
            var page = await context.NewPageAsync();
            // The hosted logins this browser was shown (by request id: a login's page and its /complete are one).
            var hostedPages = new HashSet<string>();
            page.FrameNavigated += (_, frame) =>
            {
                if (frame == page.MainFrame && System.Text.RegularExpressions.Regex.Match(frame.Url, "/login/([A-Za-z0-9_-]+)") is { Success: true } login)
                    lock (hostedPages) hostedPages.Add(login.Groups[1].Value);
            };

            // Site A: a scan.
            await page.GotoAsync(siteA.ToString());
            await page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
            await LoginDriver.WaitForStateAsync(page, "pending");
            await _driver.ScanAndConfirmAsync(await LoginDriver.ReadTicketAsync(page), "Mei SSO");
            await SignedInAsync(page, "site A signed in after the scan");
            var subject = await page.Locator("[data-claim='sub']").InnerTextAsync();
            Assert.Single(hostedPages);
            await BrowserFixture.ScreenshotAsync(page, "sso-01-site-a-signed-in");

            // Site B: signed in straight away, the QR page never shown.
            await page.GotoAsync(siteB.ToString());
            await page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
            await SignedInAsync(page, "site B signed in from the pool session");
            Assert.StartsWith(siteB.ToString(), page.Url);
            Assert.Equal(subject, await page.Locator("[data-claim='sub']").InnerTextAsync());
            Assert.Equal("Mei SSO", await page.Locator("#user-name").InnerTextAsync());
            Assert.Single(hostedPages);
            await BrowserFixture.ScreenshotAsync(page, "sso-02-site-b-signed-in-without-a-scan");

            // Site B refreshes: a new access token, the refresh token rotated.
            Assert.Equal("yes", await page.Locator("#has-refresh-token").InnerTextAsync());
            var before = await page.Locator("#access-token-id").InnerTextAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Refresh tokens" }).ClickAsync();
            await PageTrace.WaitAsync(page, "site B's first refresh", () =>
                page.Locator("#refresh-count", new() { HasText = "1" }).WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));
            Assert.NotEqual(before, await page.Locator("#access-token-id").InnerTextAsync());
            await page.GetByRole(AriaRole.Button, new() { Name = "Refresh tokens" }).ClickAsync();
            await PageTrace.WaitAsync(page, "site B's second refresh", () =>
                page.Locator("#refresh-count", new() { HasText = "2" }).WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));

            // Site A logs out everywhere: end_session with its id_token_hint, back to site A signed out.
            await page.GotoAsync(siteA.ToString());
            await page.Locator("#logout").ClickAsync();
            await PageTrace.WaitAsync(page, "site A signed out through end_session", () =>
                page.Locator("#signed-out").WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));
            Assert.StartsWith(siteA.ToString(), page.Url);
            await BrowserFixture.ScreenshotAsync(page, "sso-03-site-a-logged-out");

            // Site B's next login is a scan again.
            await page.GotoAsync(siteB.ToString());
            await page.Locator("#logout-local").ClickAsync();
            await page.Locator("#signed-out").WaitForAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
            await LoginDriver.WaitForStateAsync(page, "pending");
            Assert.Equal(2, hostedPages.Count);
        }
        finally
        {
            foreach (var site in sites)
            {
                await site.StopAsync();
                await site.DisposeAsync();
            }
        }
    }

    private static Task SignedInAsync(IPage page, string what) => PageTrace.WaitAsync(page, what, () =>
        page.Locator("#signed-in").WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));
}
