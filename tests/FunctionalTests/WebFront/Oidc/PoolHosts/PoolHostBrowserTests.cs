using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using ScanLogin.FunctionalTests.HostedLogin;
using Xunit;

namespace ScanLogin.FunctionalTests.PoolHosts;

/// <summary>
/// In Chromium, whose host-resolver rules send *.login.test to loopback as DNS would send a pool's host to ScanLogin: the hosted
/// page on a pool's own host, and an identity source's direct login link, each from the first page to the site's callback.
/// </summary>
[Collection(PoolHostCollection.Name)]
public sealed class PoolHostBrowserTests(PoolHostFixture fixture)
{
    private readonly PoolHostLogins _logins = new(fixture);

    [Fact]
    public async Task The_hosted_page_on_a_pool_host_signs_in_with_cookies_only_that_host_gets()
    {
        var tenant = await fixture.CreateTenantAsync();
        var other = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(_logins.AuthorizeUrl(host, tenant, state: "browser-1"));
        await LoginDriver.WaitForStateAsync(page, "pending");
        Assert.StartsWith(host + "/login/", page.Url);
        var loginPath = new Uri(page.Url).AbsolutePath;

        // Host-only: the cookie names the pool's host exactly (no leading dot), and another pool's host gets nothing.
        var cookie = Assert.Single(await context.CookiesAsync([page.Url]));
        Assert.Equal($"{tenant.PoolId}.login.test", cookie.Domain);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(loginPath, cookie.Path);
        Assert.Empty(await context.CookiesAsync([fixture.PoolHost(other.PoolId) + loginPath]));

        await ConfirmOnPhoneAsync(await LoginDriver.ReadTicketAsync(page));
        var callback = await WaitForAsync(page, fixture.AppCallback);
        var query = PoolHostLogins.Query(callback);
        Assert.Equal(host, query["iss"]);
        Assert.Equal("browser-1", query["state"]);
        var tokens = await PoolHostLogins.JsonAsync(await PoolHostLogins.RedeemAsync(host, tenant, query["code"], fixture.AppCallback, withSecret: true, withVerifier: true));
        Assert.Equal(host, (await PoolHostLogins.VerifyAsync(host, tokens["id_token"]!.GetValue<string>(), tenant.AppId)).Issuer);
    }

    [Fact]
    public async Task The_direct_login_link_lands_on_the_sources_callback_and_the_backend_redeems_its_code()
    {
        var tenant = await fixture.CreateTenantAsync();
        var host = fixture.PoolHost(tenant.PoolId);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(QueryHelpers.AddQueryString($"{host}/connections/{Tenant.Source}", new Dictionary<string, string?>
        {
            ["app_id"] = tenant.AppId, ["state"] = "basket-9",
        }));
        await LoginDriver.WaitForStateAsync(page, "pending");
        await ConfirmOnPhoneAsync(await LoginDriver.ReadTicketAsync(page));

        var callback = await WaitForAsync(page, fixture.SourceCallback);
        Assert.Equal("source callback", await page.Locator("body").InnerTextAsync());
        var query = PoolHostLogins.Query(callback);
        Assert.Equal("basket-9", query["state"]);
        var tokens = await PoolHostLogins.JsonAsync(await PoolHostLogins.RedeemAsync(host, tenant, query["code"], fixture.SourceCallback, withSecret: true));
        var idToken = await PoolHostLogins.VerifyAsync(host, tokens["id_token"]!.GetValue<string>(), tenant.AppId);
        Assert.False(string.IsNullOrEmpty(idToken.Subject));
    }

    /// <summary>The phone (through front end B) scans the code the page shows and confirms.</summary>
    private async Task ConfirmOnPhoneAsync(string ticketId)
    {
        var emulator = fixture.System.Emulator;
        var openId = await emulator.CreateUserAsync();
        var scan = await Api.ScanOkAsync(fixture.System.B, ticketId, await emulator.LoginCodeAsync(openId));
        (await Api.ConfirmAsync(fixture.System.B, ticketId, scan.ScanToken, await emulator.PhoneCodeAsync(openId))).EnsureSuccessStatusCode();
    }

    private static async Task<Uri> WaitForAsync(IPage page, string callback)
    {
        await PageTrace.WaitAsync(page, $"the callback {callback}", () =>
            page.WaitForURLAsync(url => url.StartsWith(callback + "?", StringComparison.Ordinal),
                new PageWaitForURLOptions { Timeout = BrowserFixture.WaitTimeout }));
        return new Uri(page.Url);
    }
}
