using System.Buffers.Binary;
using System.Net;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Admin;

/// <summary>GET /admin/v1/pools/{poolId}/identity-sources/{identifier}/qr-preview: the sample code with the source's logo.</summary>
[Collection(SystemCollection.Name)]
public sealed class QrPreviewApiTests(SystemFixture system)
{
    private const string SamplePayload = "ScanLogin preview: a sample code, not a login ticket";

    private async Task<(AdminClient Platform, string PoolId, string Path)> SourceAsync(bool privateDeployment = false)
    {
        var platform = new AdminClient(system.Operator(system.PlatformKey));
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..10];
        await platform.OkAsync(HttpMethod.Post, "/admin/v1/pools", new { id = poolId, name = "Shop" }, HttpStatusCode.Created);
        string? wxAppId = null;
        const string wxSecret = "0123456789abcdef0123456789abcdef";
        if (privateDeployment)
        {
            wxAppId = "wx" + Guid.NewGuid().ToString("N")[..16];
            await system.Emulator.RegisterMiniProgramAsync(wxAppId, wxSecret);
        }
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources",
            new { identifier = "wechat", displayName = "WeChat", privateDeployment, miniProgramAppId = wxAppId, miniProgramAppSecret = privateDeployment ? wxSecret : null },
            HttpStatusCode.Created);
        return (platform, poolId, $"/admin/v1/pools/{poolId}/identity-sources/wechat");
    }

    private static async Task<(HttpResponseMessage Response, byte[] Png)> GetAsync(HttpClient http, string path, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        var response = await http.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static int WidthOf(byte[] png) => BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));

    [Fact]
    public async Task The_preview_is_a_sample_code_that_is_no_ticket_and_changes_with_the_logo()
    {
        var (_, _, path) = await SourceAsync();
        using var http = system.Operator(system.PlatformKey);
        using var platform = new AdminClient(system.Operator(system.PlatformKey));

        var (plain, plainPng) = await GetAsync(http, path + "/qr-preview");
        Assert.True(plain.StatusCode == HttpStatusCode.OK, $"{(int)plain.StatusCode} {System.Text.Encoding.UTF8.GetString(plainPng)}");
        Assert.Equal("image/png", plain.Content.Headers.ContentType?.MediaType);
        Assert.Equal(320, WidthOf(plainPng));
        Assert.Equal(SamplePayload, QrDecoder.Decode(plainPng));
        Assert.True(plain.Headers.CacheControl?.Private, "the preview is cached privately");

        Assert.Equal(HttpStatusCode.OK, (await platform.PutLogoAsync(path + "/logo", TestLogos.Png(), "image/png")).StatusCode);
        var (withLogo, logoPng) = await GetAsync(http, path + "/qr-preview");
        Assert.Equal(HttpStatusCode.OK, withLogo.StatusCode);
        Assert.NotEqual(plain.Headers.ETag, withLogo.Headers.ETag);
        Assert.NotEqual(plainPng, logoPng);
        // The plate covers modules as on a ticket's picture; error correction H still reads it.
        Assert.Equal(SamplePayload, QrDecoder.Decode(logoPng));

        var (again, _) = await GetAsync(http, path + "/qr-preview", withLogo.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        var (large, largePng) = await GetAsync(http, path + "/qr-preview?size=1280");
        Assert.Equal((HttpStatusCode.OK, 1280), (large.StatusCode, WidthOf(largePng)));
        var (between, betweenPng) = await GetAsync(http, path + "/qr-preview?size=200");
        Assert.Equal((HttpStatusCode.OK, 240), (between.StatusCode, WidthOf(betweenPng)));
    }

    [Fact]
    public async Task A_privately_deployed_source_previews_the_mini_program_code_art()
    {
        var (platform, _, path) = await SourceAsync(privateDeployment: true);
        Assert.Equal(HttpStatusCode.OK, (await platform.PutLogoAsync(path + "/logo", TestLogos.Png(), "image/png")).StatusCode);
        var (publicPlatform, _, publicPath) = await SourceAsync();
        Assert.Equal(HttpStatusCode.OK, (await publicPlatform.PutLogoAsync(publicPath + "/logo", TestLogos.Png(), "image/png")).StatusCode);
        using var http = system.Operator(system.PlatformKey);

        var (response, png) = await GetAsync(http, path + "/qr-preview");
        var (_, publicPng) = await GetAsync(http, publicPath + "/qr-preview");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(png)}");
        Assert.Equal(320, WidthOf(png));
        // The mini-program code's plate covers almost half its width: a different picture from the QR code with the same logo.
        Assert.NotEqual(publicPng, png);
    }

    [Fact]
    public async Task A_pool_key_previews_only_its_own_pools_sources_and_bad_sizes_are_refused()
    {
        var (platform, poolA, pathA) = await SourceAsync();
        var (_, _, pathB) = await SourceAsync();
        var key = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolA}/api-keys", new { name = "ops" }, HttpStatusCode.Created))["key"]!.GetValue<string>();
        using var pool = new AdminClient(system.Operator(key));
        using var poolHttp = system.Operator(key);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(poolHttp, pathA + "/qr-preview")).Response.StatusCode);
        await pool.ProblemAsync(HttpMethod.Get, pathB + "/qr-preview", null, HttpStatusCode.NotFound, "not_found");
        await pool.ProblemAsync(HttpMethod.Get, $"/admin/v1/pools/{poolA}/identity-sources/absent/qr-preview", null, HttpStatusCode.NotFound, "not_found");
        await pool.ProblemAsync(HttpMethod.Get, $"/admin/v1/pools/{poolA}/identity-sources/{new string('x', 40)}/qr-preview", null, HttpStatusCode.NotFound, "not_found");
        foreach (var size in new[] { "abc", "0", "159", "1281", "-320", "99999999999", "3.5" })
            await pool.ProblemAsync(HttpMethod.Get, pathA + "/qr-preview?size=" + size, null, HttpStatusCode.BadRequest, "validation_failed");

        var anonymous = await system.A.GetAsync(pathA + "/qr-preview");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
