using System.Buffers;
using System.Collections;
using System.Text;
using QRCoder;

namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// Draws QR codes: QRCoder for the modules (error correction H, so the centre logo costs nothing), crisp
/// modules at an integer scale with at least the 4-module quiet zone, and the logo plate pasted in the middle.
/// </summary>
public static class QrRenderer
{
    public const int MinSize = 160;
    public const int MaxSize = 1280;

    /// <summary>The plate's side as a share of the code's side: about 5% of the area, far inside what level H repairs.</summary>
    public const double PlateShare = 0.22;

    private static ReadOnlySpan<byte> BlackAndWhite => [255, 255, 255, 0, 0, 0];

    public static byte[] RenderPng(string payload, int size, LogoArtwork? logo)
    {
        var modules = Modules(payload);
        var layout = Layout.Of(modules.Count, size);
        var pixels = ArrayPool<byte>.Shared.Rent(size * size);
        try
        {
            var image = pixels.AsSpan(0, size * size);
            image.Clear(); // index 0: white
            for (var row = 0; row < modules.Count; row++)
            {
                var line = image.Slice((layout.Offset + row * layout.Scale) * size, size);
                var bits = modules[row];
                for (var column = 0; column < modules.Count; column++)
                    if (bits[column]) line.Slice(layout.Offset + column * layout.Scale, layout.Scale).Fill(1);
                for (var repeat = 1; repeat < layout.Scale; repeat++) line.CopyTo(image.Slice((layout.Offset + row * layout.Scale + repeat) * size, size));
            }

            var palette = BlackAndWhite;
            if (logo is not null)
            {
                var plate = logo.PlateOf(layout.PlateSize(modules.Count));
                var origin = (size - plate.Size) / 2;
                for (var y = 0; y < plate.Size; y++)
                {
                    var source = plate.Indices.AsSpan(y * plate.Size, plate.Size);
                    var target = image.Slice((origin + y) * size + origin, plate.Size);
                    for (var x = 0; x < plate.Size; x++)
                        if (source[x] != LogoPlate.Transparent) target[x] = source[x];
                }
                palette = plate.Palette;
            }
            return IndexedPngWriter.Write(image, size, size, palette);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    /// <summary>Vector modules (one path, runs merged), the logo plate as an embedded PNG.</summary>
    public static string RenderSvg(string payload, int size, LogoArtwork? logo)
    {
        var modules = Modules(payload);
        var n = modules.Count;
        var svg = new StringBuilder(8192);
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {n} {n}\" shape-rendering=\"crispEdges\">");
        svg.Append($"<rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path fill=\"#000\" d=\"");
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                if (!modules[y][x]) continue;
                var start = x;
                while (x + 1 < n && modules[y][x + 1]) x++;
                svg.Append($"M{start} {y}h{x - start + 1}v1h-{x - start + 1}z");
            }
        }
        svg.Append("\"/>");
        if (logo is not null)
        {
            var plate = (n - 8) * PlateShare;
            var at = (n - plate) / 2;
            svg.Append(FormattableString.Invariant(
                $"<image x=\"{at:0.###}\" y=\"{at:0.###}\" width=\"{plate:0.###}\" height=\"{plate:0.###}\" href=\"{logo.SvgImage}\"/>"));
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The module matrix with a 4-module quiet zone on every side.</summary>
    private static List<BitArray> Modules(string payload)
    {
        // Not disposed: disposing drops the matrix we return, and it holds nothing else.
        return QRCodeGenerator.GenerateQrCode(payload, QRCodeGenerator.ECCLevel.H).ModuleMatrix;
    }

    /// <summary>An integer module scale that fits the requested size; what is left over widens the white margin.</summary>
    private readonly record struct Layout(int Scale, int Offset)
    {
        public static Layout Of(int modules, int size)
        {
            var scale = size / modules;
            if (scale < 1) throw new ArgumentOutOfRangeException(nameof(size), $"{size} px cannot hold {modules} modules.");
            return new Layout(scale, (size - modules * scale) / 2);
        }

        public int PlateSize(int modules) => (int)Math.Round((modules - 8) * Scale * PlateShare);
    }
}
