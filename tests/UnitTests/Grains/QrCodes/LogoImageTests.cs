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
    public void Pixel_limits_are_enforced()
    {
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(TestLogos.Png(LogoImage.MinSide - 1)).Failure?.Code);
        Assert.True(LogoImage.Normalize(TestLogos.Png(LogoImage.MinSide)).Succeeded);
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(Png(16, LogoImage.MaxSide + 1)).Failure?.Code);
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(Png(LogoImage.MaxSide + 1, 16)).Failure?.Code);
        Assert.True(LogoImage.Normalize(Png(LogoImage.MaxSide, 16)).Succeeded);
    }

    [Fact]
    public void A_valid_image_over_the_byte_limit_is_refused_for_its_size()
    {
        var image = NoisePng(700); // random pixels do not compress: about 1.9 MB, well within the pixel limits
        Assert.True(image.Length > LogoImage.MaxBytes, $"{image.Length} bytes");
        var refused = LogoImage.Normalize(image).Failure;
        Assert.Equal(FailureCodes.LogoInvalid, refused?.Code);
        Assert.Contains("KiB", refused!.Message);
        // The very same kind of image under the limit is fine: only its size was wrong.
        Assert.True(LogoImage.Normalize(NoisePng(300)).Succeeded);
    }

    [Fact]
    public void The_byte_limit_is_inclusive()
    {
        // Bytes after a PNG's end are ignored by decoders: pad a valid image to exactly the limit, then one byte over it.
        var png = TestLogos.Png();
        var atLimit = png.Concat(new byte[LogoImage.MaxBytes - png.Length]).ToArray();
        Assert.True(LogoImage.Normalize(atLimit).Succeeded);
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(atLimit.Append((byte)0).ToArray()).Failure?.Code);
    }

    [Fact]
    public void Each_side_is_held_to_the_pixel_limits_on_its_own()
    {
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(Png(LogoImage.MinSide - 1, 64)).Failure?.Code);
        Assert.Equal(FailureCodes.LogoInvalid, LogoImage.Normalize(Png(64, LogoImage.MinSide - 1)).Failure?.Code);
        Assert.True(LogoImage.Normalize(Png(LogoImage.MinSide, LogoImage.MaxSide)).Succeeded);
    }

    [Theory]
    [InlineData(1024, 256, 512, 128)]
    [InlineData(256, 1024, 128, 512)]
    [InlineData(600, 100, 512, 85)]
    [InlineData(300, 100, 300, 100)] // never scaled up
    [InlineData(512, 40, 512, 40)]
    public void A_logo_is_scaled_down_by_its_longer_side_keeping_its_shape(int width, int height, int storedWidth, int storedHeight)
    {
        using var codec = SKCodec.Create(new MemoryStream(LogoImage.Normalize(Png(width, height)).Value!))!;
        Assert.Equal((storedWidth, storedHeight), (codec.Info.Width, codec.Info.Height));
    }

    [Fact]
    public void A_logo_no_larger_than_the_stored_side_keeps_every_pixel()
    {
        var upload = TestLogos.Png(LogoImage.StoredSide);
        using var original = SKBitmap.Decode(upload);
        using var stored = SKBitmap.Decode(LogoImage.Normalize(upload).Value!);
        Assert.Equal(original.Pixels, stored.Pixels);
    }

    private static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(7, 193, 96));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] NoisePng(int side)
    {
        var random = new Random(side);
        using var bitmap = new SKBitmap(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new byte[side * side * 4];
        random.NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
