using System.Diagnostics;

namespace ScanLogin.UnitTests.QrCodes;

/// <summary>Rasterizes SVG with librsvg's rsvg-convert (Debian's librsvg2-bin), as a browser would draw it.</summary>
public static class SvgRasterizer
{
    public static byte[] ToPng(string svg, int size)
    {
        using var rsvg = Process.Start(new ProcessStartInfo("rsvg-convert", ["-w", size.ToString(), "-h", size.ToString(), "-f", "png"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("rsvg-convert did not start (deploy/test.sh installs librsvg2-bin).");
        var output = new MemoryStream();
        var reading = rsvg.StandardOutput.BaseStream.CopyToAsync(output);
        rsvg.StandardInput.Write(svg);
        rsvg.StandardInput.Close();
        reading.Wait();
        rsvg.WaitForExit();
        return rsvg.ExitCode == 0 ? output.ToArray() : throw new InvalidOperationException($"rsvg-convert failed ({rsvg.ExitCode}).");
    }
}
