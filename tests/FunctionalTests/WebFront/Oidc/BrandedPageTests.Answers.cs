using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.WebUtilities;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>What the branding endpoints answer exactly: the stylesheet's tag and policy, the preview's own logo, and ids they never look up.</summary>
public sealed partial class BrandedPageTests
{
    private const string LogoHash = "AAAAAAAAAAAAAAAA";

    [Fact]
    public async Task A_stylesheet_is_tagged_with_its_version_a_weak_match_is_not_modified_and_it_may_load_nothing()
    {
        var (tenant, admin) = await TenantAsync();
        await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{tenant.PoolId}/applications/{tenant.AppId}", new { branding = new { light = new { primaryColor = "#123456" } } });
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        var href = Stylesheet().Match(await anonymous.GetStringAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}/preview")).Groups[1].Value;
        var version = QueryHelpers.ParseQuery(new Uri(system.A.BaseAddress!, href).Query)["v"].Single()!;

        var css = await anonymous.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal($"\"{version}\"", css.Headers.ETag!.Tag);
        // A stylesheet loads nothing and runs nothing, whatever a browser makes of it.
        Assert.Equal("default-src 'none'", css.Headers.GetValues("Content-Security-Policy").Single());

        // Caches that transform a response keep only a weak tag; it still names the same content.
        var weak = new HttpRequestMessage(HttpMethod.Get, href);
        weak.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{version}\"", isWeak: true));
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(weak)).StatusCode);
    }

    [Fact]
    public async Task The_preview_of_an_unbranded_application_shows_its_own_logo()
    {
        var (tenant, _) = await TenantAsync();
        var grain = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await grain.SaveAsync((await grain.GetAsync())! with { LogoUrl = "https://cdn.site.example/logo.png" }, null);
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        var html = await anonymous.GetStringAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}/preview");
        Assert.Contains("<img class=\"app-logo\" src=\"https://cdn.site.example/logo.png\" alt=\"\" width=\"48\" height=\"48\">", html);
    }

    [Fact]
    public async Task Ids_and_logo_names_the_page_never_accepts_are_not_found_even_when_a_record_has_one()
    {
        // Seeded past the admin API: a character and a length (65, one more than 64) no id the hosted page takes has.
        var oddApp = await new TenantBuilder(appId: "app~" + Guid.NewGuid().ToString("N")[..8]).SaveAsync(system.Grains);
        var longPool = await new TenantBuilder(poolId: "pool-" + new string('p', 60)).SaveAsync(system.Grains);
        var (tenant, _) = await TenantAsync();
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        async Task<HttpStatusCode> StatusAsync(string path, string? ifNoneMatch = null)
        {
            // Asked with the tag the logo would have: a handler that looked the owner up would answer 304.
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{ifNoneMatch}\""));
            return (await anonymous.SendAsync(request)).StatusCode;
        }

        var (pool, app) = (oddApp.Pool.PoolId, oddApp.Application.AppId);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{pool}/branding/{app}.css"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{pool}/branding/{app}/preview"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{pool}/branding/{app}/logo/{LogoHash}.png", LogoHash));
        (pool, app) = (longPool.Pool.PoolId, longPool.Application.AppId);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{pool}/branding/{app}.css"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{pool}/branding/{app}/preview"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{pool}/branding/logo/{LogoHash}.png", LogoHash));
        // A name that is not a logo hash, of owners that exist.
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{tenant.PoolId}/branding/logo/not-a-hash.png", "not-a-hash"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/oidc/{tenant.PoolId}/branding/{tenant.AppId}/logo/not-a-hash.png", "not-a-hash"));
    }
}
