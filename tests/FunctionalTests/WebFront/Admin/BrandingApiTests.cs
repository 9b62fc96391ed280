using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Admin;

/// <summary>Branding through the admin API: the fields on applications and pools, their validation, and logo uploads served by ScanLogin.</summary>
[Collection(SystemCollection.Name)]
public sealed class BrandingApiTests(SystemFixture system)
{
    private static readonly object LightAndDark = new
    {
        title = "Shop <sign-in>",
        notice = "Staff: use the company WeChat.",
        light = new { primaryColor = "#C8102E", backgroundColor = "#fff8e7", logoUrl = "https://cdn.shop.example/logo.png" },
        dark = new { primaryColor = "#ff6b81", backgroundColor = "#101418" },
    };

    private async Task<(AdminClient Admin, string PoolId, string AppId)> PoolWithAppAsync()
    {
        var admin = new AdminClient(system.Operator(system.PlatformKey));
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..10];
        await admin.OkAsync(HttpMethod.Post, "/admin/v1/pools", new { id = poolId, name = "Shop" }, HttpStatusCode.Created);
        var app = await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications",
            new { name = "Shop web", callbackUrls = new[] { "https://shop.example/cb" } }, HttpStatusCode.Created);
        return (admin, poolId, app["application"]!["appId"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_application_and_its_pool_store_branding_and_read_it_back_with_colours_lowercased()
    {
        var (admin, poolId, appId) = await PoolWithAppAsync();
        var none = await admin.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/applications/{appId}");
        Assert.Null(none["branding"]);

        var app = await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{poolId}/applications/{appId}", new { branding = LightAndDark });
        var branding = app["branding"]!;
        Assert.Equal("Shop <sign-in>", branding["title"]!.GetValue<string>());
        Assert.Equal("#c8102e", branding["light"]!["primaryColor"]!.GetValue<string>());
        Assert.Equal("https://cdn.shop.example/logo.png", branding["light"]!["logoUrl"]!.GetValue<string>());
        Assert.Equal("#101418", branding["dark"]!["backgroundColor"]!.GetValue<string>());
        // Other fields are untouched by a branding patch, and a patch of other fields keeps the branding.
        Assert.Equal("Shop web", app["name"]!.GetValue<string>());
        var renamed = await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{poolId}/applications/{appId}", new { name = "Shop web 2" });
        Assert.Equal("#c8102e", renamed["branding"]!["light"]!["primaryColor"]!.GetValue<string>());

        var pool = await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{poolId}", new { branding = new { notice = "Pool notice", light = new { primaryColor = "#0B5" } } });
        Assert.Equal("#0b5", pool["branding"]!["light"]!["primaryColor"]!.GetValue<string>());
        var renamedPool = await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{poolId}", new { name = "Shop 2" });
        Assert.Equal("Pool notice", renamedPool["branding"]!["notice"]!.GetValue<string>());
        var cleared = await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{poolId}", new { branding = new { } });
        Assert.Null(cleared["branding"]);
    }

    [Theory]
    [InlineData("light", "primaryColor", "red")]
    [InlineData("light", "backgroundColor", "#ffff")]
    [InlineData("dark", "primaryColor", "#fff;}body{display:none}")]
    [InlineData("dark", "logoUrl", "http://cdn.shop.example/logo.png")]
    [InlineData("light", "logoUrl", "javascript:alert(1)")]
    public async Task A_wrong_branding_value_is_a_400_problem_naming_its_field(string scheme, string member, string value)
    {
        var (admin, poolId, appId) = await PoolWithAppAsync();
        var theme = new JsonObject { [member] = value };
        var body = new JsonObject { ["branding"] = new JsonObject { [scheme] = theme } };
        foreach (var path in new[] { $"/admin/v1/pools/{poolId}/applications/{appId}", $"/admin/v1/pools/{poolId}" })
        {
            var problem = await admin.ProblemAsync(HttpMethod.Patch, path, body, HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]![$"branding.{scheme}.{member}"]);
        }
        var created = await admin.ProblemAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications",
            new JsonObject { ["name"] = "x", ["branding"] = body["branding"]!.DeepClone() }, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(created["errors"]![$"branding.{scheme}.{member}"]);
    }

    [Fact]
    public async Task Over_long_or_multi_line_texts_are_refused_by_name()
    {
        var (admin, poolId, appId) = await PoolWithAppAsync();
        var problem = await admin.ProblemAsync(HttpMethod.Patch, $"/admin/v1/pools/{poolId}/applications/{appId}",
            new { branding = new { title = new string('t', 61), notice = "two\nlines" } }, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]!["branding.title"]);
        Assert.NotNull(problem["errors"]!["branding.notice"]);
    }

    [Fact]
    public async Task An_uploaded_logo_is_checked_as_identity_source_logos_are_and_served_by_ScanLogin_until_removed()
    {
        var (admin, poolId, appId) = await PoolWithAppAsync();
        var logoPath = $"/admin/v1/pools/{poolId}/applications/{appId}/branding/dark/logo";
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PutLogoAsync(logoPath, TestLogos.Png(), "image/svg+xml")).StatusCode);
        var bad = await admin.PutLogoAsync(logoPath, "<svg onload=alert(1)>"u8.ToArray(), "image/png");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutLogoAsync($"/admin/v1/pools/{poolId}/applications/{appId}/branding/dusk/logo", TestLogos.Png(), "image/png")).StatusCode);

        var put = await admin.PutLogoAsync(logoPath, TestLogos.Jpeg(900), "image/jpeg");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var view = JsonNode.Parse(await put.Content.ReadAsStringAsync())!;
        var hash = view["branding"]!["dark"]!["logoHash"]!.GetValue<string>();
        Assert.Null(view["branding"]!["light"]);

        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        var served = await anonymous.GetAsync($"/oidc/{poolId}/branding/{appId}/logo/{hash}.png");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(served.Headers.CacheControl is { Public: true, MaxAge.TotalDays: >= 300 }, served.Headers.CacheControl?.ToString());
        var png = await served.Content.ReadAsByteArrayAsync();
        Assert.Equal(0x89, png[0]); // normalized to PNG, at most 512 px
        using (var bitmap = SkiaSharp.SKBitmap.Decode(png)) Assert.Equal(512, Math.Max(bitmap.Width, bitmap.Height));
        // Another pool's path, or another application's, does not reach it.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{poolId}/branding/logo/{hash}.png")).StatusCode);
        var (_, otherPool, otherApp) = await PoolWithAppAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{otherPool}/branding/{appId}/logo/{hash}.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{otherPool}/branding/{otherApp}/logo/{hash}.png")).StatusCode);

        // Branding patches keep the upload; removing it stops serving it.
        var patched = await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{poolId}/applications/{appId}", new { branding = new { title = "T" } });
        Assert.Equal(hash, patched["branding"]!["dark"]!["logoHash"]!.GetValue<string>());
        var removed = await admin.OkAsync(HttpMethod.Delete, logoPath);
        Assert.Null(removed["branding"]!["dark"]);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/oidc/{poolId}/branding/{appId}/logo/{hash}.png")).StatusCode);

        // The pool's own logo, the fallback of its applications.
        var poolPut = await admin.PutLogoAsync($"/admin/v1/pools/{poolId}/branding/light/logo", TestLogos.Png(64), "image/png");
        Assert.Equal(HttpStatusCode.OK, poolPut.StatusCode);
        var poolHash = JsonNode.Parse(await poolPut.Content.ReadAsStringAsync())!["branding"]!["light"]!["logoHash"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/oidc/{poolId}/branding/logo/{poolHash}.png")).StatusCode);
    }

    [Fact]
    public async Task Deleting_an_application_or_its_pool_deletes_their_uploaded_logos()
    {
        var (admin, poolId, appId) = await PoolWithAppAsync();
        var appLogo = await admin.PutLogoAsync($"/admin/v1/pools/{poolId}/applications/{appId}/branding/light/logo", TestLogos.Png(), "image/png");
        var appHash = JsonNode.Parse(await appLogo.Content.ReadAsStringAsync())!["branding"]!["light"]!["logoHash"]!.GetValue<string>();
        var poolLogo = await admin.PutLogoAsync($"/admin/v1/pools/{poolId}/branding/dark/logo", TestLogos.Png(), "image/png");
        var poolHash = JsonNode.Parse(await poolLogo.Content.ReadAsStringAsync())!["branding"]!["dark"]!["logoHash"]!.GetValue<string>();
        var appLogos = system.Grains.GetGrain<Grains.Interfaces.IBrandingLogoGrain>(Grains.Interfaces.BrandingLogos.KeyOf(poolId, appId));
        var poolLogos = system.Grains.GetGrain<Grains.Interfaces.IBrandingLogoGrain>(Grains.Interfaces.BrandingLogos.KeyOf(poolId, null));
        Assert.NotNull(await appLogos.GetAsync(appHash));

        await admin.OkAsync(HttpMethod.Delete, $"/admin/v1/pools/{poolId}/applications/{appId}", expected: HttpStatusCode.NoContent);
        Assert.Null(await appLogos.GetAsync(appHash));
        Assert.NotNull(await poolLogos.GetAsync(poolHash));
        await admin.OkAsync(HttpMethod.Delete, $"/admin/v1/pools/{poolId}", expected: HttpStatusCode.NoContent);
        Assert.Null(await poolLogos.GetAsync(poolHash));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_branding_fields_and_logo_endpoints()
    {
        using var anonymous = new HttpClient { BaseAddress = system.A.BaseAddress };
        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        foreach (var expected in new[] { "/admin/v1/pools/{poolId}/applications/{appId}/branding/{scheme}/logo", "/admin/v1/pools/{poolId}/branding/{scheme}/logo",
                     "/oidc/{poolId}/branding/{appId}.css", "BrandingRequest", "BrandingThemeRequest", "primaryColor", "backgroundColor" })
            Assert.Contains(expected, document);
    }
}
