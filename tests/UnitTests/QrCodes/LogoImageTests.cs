using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.QrCodes;
using SkiaSharp;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests.QrCodes;

/// <summary>Uploaded logos must be real PNG or JPEG images within size and pixel limits.</summary>
public sealed class LogoImageTests
{
    [Fact]
    public void Png_and_jpeg_are_accepted_and_stored_as_png()
    {
        foreach (var upload in new[] { TestLogos.Png(), TestLogos.Jpeg() })
        {
            var stored = LogoImage.Normalize(upload).Value!;
            Assert.Equal(SKEncodedImageFormat.Png, SKCodec.Create(new MemoryStream(stored))!.EncodedFormat);
        }
    }

    [Fact]
    public void A_large_logo_is_scaled_down_to_512_px()
    {
        using var codec = SKCodec.Create(new MemoryStream(LogoImage.Normalize(TestLogos.Png(1500)).Value!))!;
        Assert.Equal((512, 512), (codec.Info.Width, codec.Info.Height));
    }

    [Fact]
    public void Other_formats_garbage_and_truncated_images_are_refused()
    {
        using var bitmap = new SKBitmap(64, 64);
        using var webp = bitmap.Encode(SKEncodedImageFormat.Webp, 80);
        var png = TestLogos.Png();
        foreach (var upload in new[] { webp.ToArray(), "<svg/>"u8.ToArray(), png[..(png.Length / 3)], Array.Empty<byte>() })
            Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(upload).Failure?.Code);
    }

    [Fact]
    public void Pixel_and_byte_limits_are_enforced()
    {
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(TestLogos.Png(8)).Failure?.Code);
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(new byte[LogoImage.MaxBytes + 1]).Failure?.Code);
        using var tall = new SKBitmap(16, LogoImage.MaxSide + 1);
        using var data = tall.Encode(SKEncodedImageFormat.Png, 100);
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(data.ToArray()).Failure?.Code);
    }
}
