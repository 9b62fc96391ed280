using SkiaSharp;

namespace ScanLogin.Grains.QrCodes;

/// <summary>Checks an uploaded logo and normalizes it: a real PNG or JPEG within limits, stored as a PNG of at most 512 px.</summary>
public static class LogoImage
{
    public const int MaxBytes = 1024 * 1024;
    public const int MinSide = 16;
    public const int MaxSide = 4096;
    public const int StoredSide = 512;

    public static Outcome<byte[]> Normalize(ReadOnlySpan<byte> upload)
    {
        if (upload.Length == 0 || upload.Length > MaxBytes)
            return new Failure(FailureCodes.LogoInvalid, $"A logo is between 1 byte and {MaxBytes / 1024} KiB.");
        using var data = SKData.CreateCopy(upload);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
            return new Failure(FailureCodes.LogoInvalid, "A logo must be a PNG or JPEG image.");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width < MinSide || height < MinSide || width > MaxSide || height > MaxSide)
            return new Failure(FailureCodes.LogoInvalid, $"A logo is {MinSide} to {MaxSide} pixels on each side; this one is {width}x{height}.");
        // Decoding every pixel proves it is more than a valid header: a truncated file reports IncompleteInput.
        using var decoded = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (codec.GetPixels(decoded.Info, decoded.GetPixels()) != SKCodecResult.Success)
            return new Failure(FailureCodes.LogoInvalid, "The image is damaged or incomplete.");

        var scale = Math.Min(1.0, (double)StoredSide / Math.Max(width, height));
        using var resized = scale < 1
            ? decoded.Resize(new SKImageInfo((int)Math.Round(width * scale), (int)Math.Round(height * scale)), new SKSamplingOptions(SKCubicResampler.Mitchell))
            : decoded.Copy();
        using var png = resized.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
