using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using ScanLogin.FunctionalTests.Admin;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>The hosted page with branding, over HTTP: the stylesheet ScanLogin serves for it, and a security policy that stays what it was.</summary>
[Collection(SystemCollection.Name)]
public sealed partial class BrandedPageTests(SystemFixture system)
{
    private const string Callback = "https://site.example/callback";

    private async Task<(Tenant Tenant, AdminClient Admin)> TenantAsync()
    {
        var tenant = await system.CreateTenantAsync(allowedOrigins: ["https://site.example"]);
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { CallbackUrls = [Callback] }, null);
        return (tenant, new AdminClient(system.Operator(system.PlatformKey)));
    }

    private async Task<(HttpResponseMessage Response, string Html)> LoginPageAsync(Tenant tenant)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = system.A.BaseAddress };
        var started = await browser.GetAsync(QueryHelpers.AddQueryString(new Uri(system.A.BaseAddress!, $"oidc/{tenant.PoolId}/authorize").ToString(),
            new Dictionary<string, string?>
            {
                ["response_type"] = "code", ["client_id"] = tenant.AppId, ["redirect_uri"] = Callback, ["scope"] = "openid", ["state"] = "st",
                ["code_challenge"] = LoginDriver.Challenge("v".PadRight(43, 'v')), ["code_challenge_method"] = "S256",
            }));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var page = await browser.GetAsync(started.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return (page, await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_branded_page_links_the_served_stylesheet_and_keeps_the_same_security_policy()
    {
        var (tenant, admin) = await TenantAsync();
        var (before, plainHtml) = await LoginPageAsync(tenant);
        var policy = before.Headers.GetValues("Content-Security-Policy").Single();
        Assert.DoesNotContain("/branding/", plainHtml);

        await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{tenant.PoolId}/applications/{tenant.AppId}", new
        {
            branding = new { title = "Shop <staff>", notice = "Use the \"company\" WeChat", light = new { primaryColor = "#C8102E", backgroundColor = "#FFF8E7" },
                dark = new { primaryColor = "#ff6b81", backgroundColor = "#101418" } },
        });
        var (after, html) = await LoginPageAsync(tenant);

        Assert.Equal(policy, after.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("style-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Contains("<h1 id=\"title\">Shop &lt;staff&gt;</h1>", html);
        Assert.Contains("<p class=\"notice\" id=\"notice\">Use the &quot;company&quot; WeChat</p>", html);
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("<style", html);

        var href = Stylesheet().Match(html).Groups[1].Value;
        Assert.StartsWith($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}.css?v=", href);
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        var css = await anonymous.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", css.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(css.Headers.CacheControl is { Public: true, MaxAge.TotalDays: >= 300 }, css.Headers.CacheControl?.ToString());
        var text = await css.Content.ReadAsStringAsync();
        Assert.Contains("--brand-primary: #c8102e;", text);
        Assert.Contains("--brand-background: #fff8e7;", text);
        Assert.Contains("@media (prefers-color-scheme: dark)", text);
        Assert.Contains("--brand-background: #101418;", text);

        // The console's preview: the same card without a ticket or a script, under the same kind of policy.
        var preview = await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}/preview?state=expired");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var previewPolicy = preview.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("style-src 'self'", previewPolicy);
        Assert.Contains("frame-ancestors 'none'", previewPolicy);
        Assert.DoesNotContain("unsafe-inline", previewPolicy);
        var previewHtml = await preview.Content.ReadAsStringAsync();
        Assert.Contains(href, previewHtml);
        Assert.Contains("<h1 id=\"title\">Shop &lt;staff&gt;</h1>", previewHtml);
        Assert.Contains("data-state=\"expired\"", previewHtml);
        Assert.DoesNotContain("<script", previewHtml);
        Assert.DoesNotContain("/api/tickets/", previewHtml);

        // Asked again with its ETag: not modified. Under an old version: served, but kept only briefly.
        var again = new HttpRequestMessage(HttpMethod.Get, href);
        again.Headers.IfNoneMatch.Add(css.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);
        var stale = await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}.css?v=old");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.True(stale.Headers.CacheControl!.MaxAge!.Value.TotalMinutes <= 5, stale.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task The_pool_brands_applications_that_set_nothing_and_a_change_gives_a_new_stylesheet_url()
    {
        var (tenant, admin) = await TenantAsync();
        await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{tenant.PoolId}", new { branding = new { notice = "Pool-wide notice", light = new { primaryColor = "#123456" } } });
        var (_, html) = await LoginPageAsync(tenant);
        Assert.Contains("Pool-wide notice", html);
        Assert.Contains("<h1 id=\"title\">Sign in to Functional test site</h1>", html); // no title set anywhere: ScanLogin's own
        var first = Stylesheet().Match(html).Groups[1].Value;

        await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{tenant.PoolId}/applications/{tenant.AppId}", new { branding = new { light = new { primaryColor = "#654321" } } });
        var (_, changed) = await LoginPageAsync(tenant);
        var second = Stylesheet().Match(changed).Groups[1].Value;
        Assert.NotEqual(first, second);
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        Assert.Contains("--brand-primary: #654321;", await anonymous.GetStringAsync(second));
        Assert.Contains("Pool-wide notice", changed); // the application set no notice of its own
    }

    [Fact]
    public async Task Stylesheets_of_unknown_or_foreign_applications_are_not_found()
    {
        var (tenant, _) = await TenantAsync();
        var (other, _) = await TenantAsync();
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/{other.AppId}.css")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/app-{Guid.NewGuid():N}.css")).StatusCode);
        var unbranded = await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}.css");
        Assert.Equal(HttpStatusCode.OK, unbranded.StatusCode);
        Assert.DoesNotContain("--brand-", await unbranded.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_preview_is_only_a_pools_own_applications_unindexed_pending_by_default_and_in_the_asked_language()
    {
        var (tenant, _) = await TenantAsync();
        var (other, _) = await TenantAsync();
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/{other.AppId}/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/app-{Guid.NewGuid():N}/preview")).StatusCode);

        var preview = await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}/preview");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal("noindex", preview.Headers.GetValues("X-Robots-Tag").Single());
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Contains("data-state=\"pending\"", html);
        Assert.Contains("<h1 id=\"title\">Sign in to Functional test site</h1>", html);
        Assert.DoesNotContain("/branding/", html); // nothing branded: no stylesheet of its own
        Assert.Contains("<html lang=\"zh-CN\">", await anonymous.GetStringAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}/preview?ui_locales=zh-CN"));
    }

    [Fact]
    public async Task An_unbranded_applications_stylesheet_is_kept_only_briefly_so_branding_it_later_shows()
    {
        var (tenant, _) = await TenantAsync();
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        var unbranded = await anonymous.GetAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}.css");
        Assert.Equal(HttpStatusCode.OK, unbranded.StatusCode);
        Assert.True(unbranded.Headers.CacheControl!.MaxAge!.Value.TotalMinutes <= 5, unbranded.Headers.CacheControl.ToString());
        Assert.Equal("\"none\"", unbranded.Headers.ETag!.Tag);
        Assert.Equal("/* ScanLogin: this application has no branding. */\n", await unbranded.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"(/oidc/[^\"]+/branding/[^\"]+)\">")]
    private static partial Regex Stylesheet();
}
