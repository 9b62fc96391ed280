using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using SkiaSharp;
using Xunit;

namespace ScanLogin.UnitTests.QrCodes;

/// <summary>Ticket grains render their codes once, with the identity source's logo; private deployments use WeChat's codes.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketImageTests(GrainClusterFixture fixture)
{
    private const string LinkPrefix = "https://mp.scanlogin.example/s/";

    private async Task<ITicketGrain> OpenAsync(string appId)
    {
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.True((await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester(null, null, null), "h", new AppCredentials(appId, "app-secret")))).Succeeded);
        return ticket;
    }

    [Fact]
    public async Task The_png_carries_the_ticket_link_and_the_logo_and_is_rendered_once()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        var hash = (await source.SetLogoAsync(TestLogos.Png())).Value;
        Assert.Equal(hash, (await source.GetAsync())!.LogoHash);
        var ticket = await OpenAsync(appId);
        var id = ticket.GetPrimaryKeyString();

        var first = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 300))).Value!;
        Assert.Equal(LinkPrefix + id, QrDecoder.Decode(first.Content));
        using var bitmap = SKBitmap.Decode(first.Content);
        var centre = bitmap.GetPixel(150, 150);
        Assert.False(centre.Red == centre.Green && centre.Green == centre.Blue, "no logo in the centre");

        var again = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 300))).Value!;
        Assert.Equal(first.RenderedAt, again.RenderedAt); // the same rendering, not a second one
        Assert.Equal(first.ETag, again.ETag);
        var svg = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 300))).Value!;
        Assert.Equal("image/svg+xml", svg.ContentType);
        Assert.NotEqual(first.ETag, svg.ETag);
    }

    [Fact]
    public async Task Saving_settings_keeps_the_logo_and_a_bad_upload_changes_nothing()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        var hash = (await source.SetLogoAsync(TestLogos.Jpeg())).Value;
        var settings = (await source.GetAsync())!;
        await source.SaveAsync(settings with { DisplayName = "Renamed", LogoHash = "forged" }, null);
        Assert.Equal(hash, (await source.GetAsync())!.LogoHash);

        Assert.Equal(FailureCodes.LogoInvalid, (await source.SetLogoAsync("GIF89a"u8.ToArray())).Failure!.Code);
        Assert.Equal(hash, (await source.GetAsync())!.LogoHash);
        Assert.NotNull(await source.GetLogoAsync());
    }

    [Fact]
    public async Task Cycling_sizes_draws_each_step_once_and_answers_the_nearest_step()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        var drawn = new Dictionary<(QrFormat, int), DateTimeOffset>();
        for (var round = 0; round < 2; round++)
            foreach (var format in new[] { QrFormat.Png, QrFormat.Svg })
                for (var size = 160; size <= 1280; size += 41)
                {
                    var image = (await ticket.GetImageAsync(new QrImageRequest(format, size))).Value!;
                    Assert.Equal(Grains.QrCodes.QrImageSizes.Snap(size), image.Size);
                    Assert.Contains(image.Size, Grains.QrCodes.QrImageSizes.Steps);
                    // Each step is drawn once, however many sizes round to it and however often they come back.
                    if (drawn.TryGetValue((format, image.Size), out var renderedAt)) Assert.Equal(renderedAt, image.RenderedAt);
                    else drawn[(format, image.Size)] = image.RenderedAt;
                    fixture.Time.Advance(TimeSpan.FromMilliseconds(10));
                }
        Assert.Equal(Grains.QrCodes.QrImageSizes.MaxVariants, drawn.Count);
        Assert.Equal((512, 1280, 160), (Grains.QrCodes.QrImageSizes.Snap(500), Grains.QrCodes.QrImageSizes.Snap(1200), Grains.QrCodes.QrImageSizes.Snap(199)));
        using var bitmap = SKBitmap.Decode((await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 1000))).Value!.Content);
        Assert.Equal((960, 960), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public async Task Sizes_outside_160_to_1280_are_refused()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        Assert.Equal(FailureCodes.ImageSizeInvalid, (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 159))).Failure!.Code);
        Assert.Equal(FailureCodes.ImageSizeInvalid, (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 1281))).Failure!.Code);
    }

    [Fact]
    public async Task A_private_deployment_serves_pregenerated_wechat_codes_with_the_logo_over_them()
    {
        var miniProgram = "wx" + Guid.NewGuid().ToString("N")[..16];
        await fixture.Emulator.RegisterMiniProgramAsync(miniProgram, "private-secret");
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var key = IdentitySourceSettings.KeyOf(poolId, "wechat");
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(key);
        var settings = (await source.GetAsync())!;
        await source.SaveAsync(settings with { PrivateDeployment = true, MiniProgramAppId = miniProgram }, "private-secret");
        await source.SetLogoAsync(TestLogos.Png());

        var pool = fixture.Grains.GetGrain<IMiniProgramCodePoolGrain>(key);
        await pool.TakeAsync(); // activates the pool, which starts filling itself
        for (var i = 0; i < 300 && await pool.CountReadyAsync() == 0; i++) await Task.Delay(10);
        Assert.True(await pool.CountReadyAsync() > 0, "the pool did not fill");

        var ticketId = await pool.TakeAsync();
        Assert.Contains(ticketId, await fixture.Emulator.ScenesAsync(miniProgram)); // WeChat made this code with scene = ticket id
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(ticketId);
        Assert.True((await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester(null, null, null), "h", new AppCredentials(appId, "app-secret")))).Succeeded);

        var image = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 512))).Value!;
        using var bitmap = SKBitmap.Decode(image.Content);
        Assert.Equal((512, 512), (bitmap.Width, bitmap.Height));
        var centre = bitmap.GetPixel(256, 256);
        Assert.False(centre.Red == centre.Green && centre.Green == centre.Blue, "no logo over the WeChat code");
        var scenes = await fixture.Emulator.ScenesAsync(miniProgram);
        Assert.Single(scenes, s => s == ticketId); // served from the pool, not generated again
    }
}
