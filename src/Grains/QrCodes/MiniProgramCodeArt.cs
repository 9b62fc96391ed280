using SkiaSharp;

namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// A WeChat mini-program code with the identity source's logo over its centre. WeChat draws the mini program's
/// own avatar in the middle (a little under half the width); the plate covers it.
/// </summary>
public static class MiniProgramCodeArt
{
    public const double PlateShare = 0.44;

    public static Outcome<byte[]> ToPng(byte[] wechatImage, LogoArtwork? logo, int size)
    {
        using var code = SKBitmap.Decode(wechatImage);
        if (code is null) return new Failure(FailureCodes.WeChatUnavailable, "WeChat answered with an image that cannot be decoded.");
        using var surface = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(surface))
        {
            canvas.Clear(SKColors.White);
            using var image = SKImage.FromBitmap(code);
            canvas.DrawImage(image, new SKRect(0, 0, size, size), new SKSamplingOptions(SKCubicResampler.Mitchell));
            if (logo is not null)
            {
                var plate = (float)(size * PlateShare);
                logo.DrawPlate(canvas, SKRect.Create((size - plate) / 2, (size - plate) / 2, plate, plate));
            }
        }
        using var png = surface.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>The same picture in an SVG wrapper, for clients that ask for SVG.</summary>
    public static string ToSvg(byte[] png, int size) =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {size} {size}\">" +
        $"<image width=\"{size}\" height=\"{size}\" href=\"data:image/png;base64,{Convert.ToBase64String(png)}\"/></svg>";
}
