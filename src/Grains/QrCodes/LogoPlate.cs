using SkiaSharp;

namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// An identity source's logo on its white rounded plate, at one size, already reduced to palette indices
/// (2..254; 0 and 1 are the QR's white and black). Made once per logo and size, then pasted into every image.
/// </summary>
public sealed class LogoPlate
{
    /// <summary>Palette index meaning "no plate here": the QR module shows through (outside the rounded corners).</summary>
    public const byte Transparent = 0xFF;

    private LogoPlate(int size, byte[] indices, byte[] palette)
    {
        Size = size;
        Indices = indices;
        Palette = palette;
    }

    public int Size { get; }

    /// <summary>Size × Size palette indices, or <see cref="Transparent"/>.</summary>
    public byte[] Indices { get; }

    /// <summary>RGB triples for indices 0..n (0 white, 1 black, then the logo's colours).</summary>
    public byte[] Palette { get; }

    public static LogoPlate Create(SKBitmap logo, int size)
    {
        using var surface = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(surface))
        {
            canvas.Clear(SKColors.Transparent);
            var radius = size * 0.18f;
            using var plate = new SKPaint { Color = SKColors.White, IsAntialias = true };
            canvas.DrawRoundRect(new SKRect(0, 0, size, size), radius, radius, plate);
            var inset = MathF.Max(2, size * 0.1f);
            var inner = new SKRect(inset, inset, size - inset, size - inset);
            using var clip = new SKPath();
            clip.AddRoundRect(inner, radius * 0.6f, radius * 0.6f);
            canvas.ClipPath(clip, antialias: true);
            using var image = SKImage.FromBitmap(logo);
            canvas.DrawImage(image, Fit(logo.Width, logo.Height, inner), new SKSamplingOptions(SKCubicResampler.Mitchell));
        }
        return Quantize(surface, size);
    }

    private static SKRect Fit(int width, int height, SKRect box)
    {
        var scale = MathF.Min(box.Width / width, box.Height / height);
        var (w, h) = (width * scale, height * scale);
        return SKRect.Create(box.MidX - w / 2, box.MidY - h / 2, w, h);
    }

    /// <summary>Popularity quantization on 15-bit colour buckets: small logos rarely need more than 254 colours.</summary>
    private static LogoPlate Quantize(SKBitmap surface, int size)
    {
        var pixels = surface.GetPixelSpan();
        var counts = new Dictionary<int, (int Count, long R, long G, long B)>();
        for (var i = 0; i < size * size; i++)
        {
            var (r, g, b, a) = (pixels[i * 4], pixels[i * 4 + 1], pixels[i * 4 + 2], pixels[i * 4 + 3]);
            if (a < 128) continue;
            var (cr, cg, cb) = Flatten(r, g, b, a);
            var key = Bucket(cr, cg, cb);
            counts.TryGetValue(key, out var c);
            counts[key] = (c.Count + 1, c.R + cr, c.G + cg, c.B + cb);
        }

        var chosen = counts.OrderByDescending(kv => kv.Value.Count).Take(253).ToList();
        var palette = new byte[(chosen.Count + 2) * 3];
        palette[0] = palette[1] = palette[2] = 255; // 0: white; 1: black stays 0,0,0
        var colours = new (int R, int G, int B)[chosen.Count];
        for (var i = 0; i < chosen.Count; i++)
        {
            var (count, r, g, b) = chosen[i].Value;
            colours[i] = ((int)(r / count), (int)(g / count), (int)(b / count));
            palette[(i + 2) * 3] = (byte)colours[i].R;
            palette[(i + 2) * 3 + 1] = (byte)colours[i].G;
            palette[(i + 2) * 3 + 2] = (byte)colours[i].B;
        }

        var lookup = new Dictionary<int, byte>();
        for (var i = 0; i < chosen.Count; i++) lookup[chosen[i].Key] = (byte)(i + 2);
        var indices = new byte[size * size];
        for (var i = 0; i < size * size; i++)
        {
            var (r, g, b, a) = (pixels[i * 4], pixels[i * 4 + 1], pixels[i * 4 + 2], pixels[i * 4 + 3]);
            if (a < 128) { indices[i] = Transparent; continue; }
            var (cr, cg, cb) = Flatten(r, g, b, a);
            var key = Bucket(cr, cg, cb);
            if (!lookup.TryGetValue(key, out var index)) lookup[key] = index = Nearest(colours, cr, cg, cb);
            indices[i] = index;
        }
        return new LogoPlate(size, indices, palette);
    }

    // Edge pixels of the plate are half transparent: blend them on white, which is what they sit on.
    private static (int, int, int) Flatten(byte r, byte g, byte b, byte a) =>
        (255 - (255 - r) * a / 255, 255 - (255 - g) * a / 255, 255 - (255 - b) * a / 255);

    private static int Bucket(int r, int g, int b) => (r >> 3) << 10 | (g >> 3) << 5 | b >> 3;

    private static byte Nearest((int R, int G, int B)[] colours, int r, int g, int b)
    {
        var best = 0;
        var bestDistance = int.MaxValue;
        for (var i = 0; i < colours.Length; i++)
        {
            var d = (colours[i].R - r) * (colours[i].R - r) + (colours[i].G - g) * (colours[i].G - g) + (colours[i].B - b) * (colours[i].B - b);
            if (d < bestDistance) (best, bestDistance) = (i, d);
        }
        return (byte)(best + 2);
    }
}
