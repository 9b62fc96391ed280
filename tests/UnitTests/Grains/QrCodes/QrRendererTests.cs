using ScanLogin.Grains.QrCodes;
using SkiaSharp;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests.QrCodes;

public sealed class QrRendererTests
{
    private const string Payload = "https://mp.scanlogin.test/s/f4ZnXC0_ZMR5lBF-bQ6kvg";
    private static readonly LogoArtwork Logo = LogoArtwork.Decode(TestLogos.Png())!;

    [Theory]
    [InlineData(160, false)]
    [InlineData(160, true)]
    [InlineData(240, true)]
    [InlineData(333, true)]
    [InlineData(640, false)]
    [InlineData(1280, true)]
    public void Every_png_decodes_to_the_payload(int size, bool withLogo)
    {
        var png = QrRenderer.RenderPng(Payload, size, withLogo ? Logo : null);
        Assert.Equal(Payload, QrDecoder.Decode(png));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((size, size), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void The_logo_sits_in_the_centre_in_colour()
    {
        using var bitmap = SKBitmap.Decode(QrRenderer.RenderPng(Payload, 480, Logo));
        var centre = bitmap.GetPixel(240, 240);
        Assert.False(centre.Red == centre.Green && centre.Green == centre.Blue, $"the centre is grey ({centre}), not the logo");
        var corner = bitmap.GetPixel(2, 2);
        Assert.Equal(SKColors.White, corner); // quiet zone
    }

    [Fact]
    public void Modules_are_crisp_only_black_and_white_outside_the_logo()
    {
        using var bitmap = SKBitmap.Decode(QrRenderer.RenderPng(Payload, 300, null));
        for (var y = 0; y < 300; y += 7)
            for (var x = 0; x < 300; x += 5)
                Assert.Contains(bitmap.GetPixel(x, y), new[] { SKColors.White, SKColors.Black });
    }

    [Fact]
    public void A_jpeg_logo_works_too()
    {
        var logo = LogoArtwork.Decode(TestLogos.Jpeg())!;
        Assert.Equal(Payload, QrDecoder.Decode(QrRenderer.RenderPng(Payload, 240, logo)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Svg_renders_to_a_decodable_image(bool withLogo)
    {
        var svg = QrRenderer.RenderSvg(Payload, 320, withLogo ? Logo : null);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\"", svg);
        Assert.Equal(withLogo, svg.Contains("data:image/png;base64,"));
        Assert.Equal(Payload, QrDecoder.Decode(SvgRasterizer.ToPng(svg, 320)));
    }

    [Fact]
    public void Too_small_for_the_modules_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => QrRenderer.RenderPng(Payload, 20, null));
    }

    [Fact]
    public void Garbage_is_not_a_logo()
    {
        Assert.Null(LogoArtwork.Decode("not an image"u8));
    }
}
