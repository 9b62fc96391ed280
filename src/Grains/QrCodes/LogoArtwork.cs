using System.Collections.Concurrent;
using SkiaSharp;

namespace ScanLogin.Grains.QrCodes;

/// <summary>One identity source's logo, decoded once; its plates are made once per size and kept.</summary>
public sealed class LogoArtwork : IDisposable
{
    private readonly SKBitmap _bitmap;
    private readonly ConcurrentDictionary<int, LogoPlate> _plates = new();
    private readonly Lazy<string> _svgImage;

    private LogoArtwork(SKBitmap bitmap)
    {
        _bitmap = bitmap;
        _svgImage = new Lazy<string>(() => "data:image/png;base64," + Convert.ToBase64String(EncodePlatePng(256)));
    }

    /// <summary>Decodes a PNG or JPEG; null if the bytes are not such an image.</summary>
    public static LogoArtwork? Decode(ReadOnlySpan<byte> image)
    {
        using var data = SKData.CreateCopy(image);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg)) return null;
        var bitmap = SKBitmap.Decode(codec);
        return bitmap is null ? null : new LogoArtwork(bitmap);
    }

    public LogoPlate PlateOf(int size) => _plates.GetOrAdd(size, s => LogoPlate.Create(_bitmap, s));

    /// <summary>The plate as a PNG data URL, for SVG output (vector modules, raster logo).</summary>
    public string SvgImage => _svgImage.Value;

    /// <summary>The plate in full colour, for compositing over a WeChat mini-program code.</summary>
    public void DrawPlate(SKCanvas canvas, SKRect where)
    {
        using var image = SKImage.FromEncodedData(EncodePlatePng((int)MathF.Ceiling(where.Width)));
        canvas.DrawImage(image, where, new SKSamplingOptions(SKFilterMode.Linear));
    }

    private byte[] EncodePlatePng(int size)
    {
        var plate = PlateOf(size);
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < size * size; i++)
        {
            var index = plate.Indices[i];
            if (index == LogoPlate.Transparent) continue;
            pixels[i * 4] = plate.Palette[index * 3];
            pixels[i * 4 + 1] = plate.Palette[index * 3 + 1];
            pixels[i * 4 + 2] = plate.Palette[index * 3 + 2];
            pixels[i * 4 + 3] = 255;
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public void Dispose() => _bitmap.Dispose();
}
