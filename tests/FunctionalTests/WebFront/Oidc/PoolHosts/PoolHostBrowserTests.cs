using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using ScanLogin.FunctionalTests.HostedLogin;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.PoolHosts;

/// <summary>
/// In Chromium, whose host-resolver rules send *.login.test and *.shop.test to loopback as DNS would send a pool's host and a custom
/// domain to ScanLogin: the hosted page on a pool's own host and on a verified custom domain, and an identity source's direct login
/// link, each from the first page to the site's callback.
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
    public async Task The_hosted_page_on_a_verified_custom_domain_signs_in_under_the_domains_issuer_with_cookies_only_that_domain_gets()
    {
        var tenant = await fixture.CreateTenantAsync();
        // With a pool session, so the cookie that outlives the login is checked as well as the login's own.
        await fixture.System.Grains.GetGrain<IUserPoolGrain>(tenant.PoolId).SaveSettingsAsync(new UserPoolSettings(tenant.PoolId, "Pool host pool",
            SessionEnabled: true));
        var domain = await VerifiedDomainAsync(tenant.PoolId);
        var onDomain = $"http://{domain}:{fixture.Port}";
        var templateHost = fixture.PoolHost(tenant.PoolId);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        // Root form: /authorize at the domain itself, no /oidc/{poolId}. A domain that is not routed to its pool answers 404 here.
        var opened = await page.GotoAsync(_logins.AuthorizeUrl(onDomain, tenant, state: "domain-1"));
        Assert.True(opened is { Status: 200 }, $"{onDomain}/authorize ended at {page.Url} answering {opened?.Status}: {await page.ContentAsync()}");
        Assert.StartsWith(onDomain + "/login/", page.Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        var loginPath = new Uri(page.Url).AbsolutePath;

        // Host-only: the cookie names the domain exactly (no leading dot); the pool's template host, same pool, gets nothing.
        var cookie = Assert.Single(await context.CookiesAsync([page.Url]));
        Assert.Equal(domain, cookie.Domain);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(loginPath, cookie.Path);
        Assert.Empty(await context.CookiesAsync([templateHost + loginPath]));
        // And Chromium sends none there: the template host serves the same login, yet sees a browser that did not start it.
        var probe = await context.NewPageAsync();
        var atTemplate = await probe.GotoAsync(templateHost + loginPath);
        Assert.Null(await atTemplate!.Request.HeaderValueAsync("cookie"));
        Assert.Equal(403, atTemplate.Status);
        await probe.CloseAsync();

        await ConfirmOnPhoneAsync(await LoginDriver.ReadTicketAsync(page));
        var callback = await WaitForAsync(page, fixture.AppCallback);
        var query = PoolHostLogins.Query(callback);
        // The issuer is the domain as the operator's proxy serves it (the template's scheme, no port).
        var issuer = $"http://{domain}";
        Assert.Equal(issuer, query["iss"]);
        Assert.Equal("domain-1", query["state"]);
        var tokens = await PoolHostLogins.JsonAsync(await PoolHostLogins.RedeemAsync(onDomain, tenant, query["code"], fixture.AppCallback, withSecret: true,
            withVerifier: true));
        Assert.Equal(issuer, (await PoolHostLogins.VerifyAsync(issuer, tokens["id_token"]!.GetValue<string>(), tenant.AppId, servedAt: onDomain)).Issuer);

        // What the login left in the browser (the pool session) is host-only on the domain too.
        var left = await context.CookiesAsync();
        Assert.Contains(left, c => c.Name == ScanLogin.WebFront.Oidc.PoolSessionCookie.NameOf(tenant.PoolId));
        Assert.All(left, c => Assert.Equal(domain, c.Domain));
        Assert.Empty(await context.CookiesAsync([templateHost + "/"]));
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

    /// <summary>Claims a fresh name under the fixture's suffix for the pool and verifies it through the admin API, the site serving its challenge.</summary>
    private async Task<string> VerifiedDomainAsync(string poolId)
    {
        var domain = $"login-{Guid.NewGuid():N}"[..18] + PoolHostFixture.DomainSuffix;
        using var admin = fixture.System.Operator(fixture.System.PlatformKey);
        var claim = await PoolHostLogins.JsonAsync(await admin.PostAsJsonAsync($"/admin/v1/pools/{poolId}/domains", new { domain }), HttpStatusCode.Created);
        fixture.ServedTokens[claim["challengeToken"]!.GetValue<string>()] = true;
        var verified = await PoolHostLogins.JsonAsync(await admin.PostAsync($"/admin/v1/pools/{poolId}/domains/{domain}/verify", null));
        Assert.True(verified["verified"]!.GetValue<bool>());
        return domain;
    }

    /// <summary>
    /// Polls the page's committed URL, as <see cref="LoginDriver.WaitForCallbackAsync"/> does: a navigation that commits while a
    /// WaitForURL is being set up can be missed.
    /// </summary>
    private static async Task<Uri> WaitForAsync(IPage page, string callback)
    {
        await PageTrace.WaitAsync(page, $"the callback {callback}", async () =>
        {
            var deadline = Stopwatch.StartNew();
            while (!page.Url.StartsWith(callback + "?", StringComparison.Ordinal))
            {
                if (deadline.Elapsed > TimeSpan.FromMilliseconds(BrowserFixture.WaitTimeout))
                    throw new System.TimeoutException($"Timeout {BrowserFixture.WaitTimeout}ms exceeded.");
                await Task.Delay(50);
            }
        });
        return new Uri(page.Url);
    }
}
