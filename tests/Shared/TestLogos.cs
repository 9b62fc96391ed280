using SkiaSharp;

namespace ScanLogin.Tests.Shared;

/// <summary>Logos made on the spot: a colourful PNG and a JPEG, like an operator would upload.</summary>
public static class TestLogos
{
    public static byte[] Png(int size = 200) => Draw(size, SKEncodedImageFormat.Png);

    public static byte[] Jpeg(int size = 200) => Draw(size, SKEncodedImageFormat.Jpeg);

    private static byte[] Draw(int size, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(size, size);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(7, 193, 96)); // WeChat green
            using var shader = SKShader.CreateRadialGradient(new SKPoint(size / 2f, size / 2f), size / 2f,
                [SKColors.Orange, SKColors.DeepPink, SKColors.MediumBlue], SKShaderTileMode.Clamp);
            using var paint = new SKPaint { Shader = shader, IsAntialias = true };
            canvas.DrawCircle(size / 2f, size / 2f, size * 0.4f, paint);
        }
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }
}
