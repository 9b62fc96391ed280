using System.Diagnostics;

namespace ScanLogin.Tests.Shared;

/// <summary>Decodes images with Debian's zbarimg, a real QR decoder independent of the encoder under test.</summary>
public static class QrDecoder
{
    public static string Decode(byte[] image, string extension = ".png")
    {
        var file = Path.Combine(Path.GetTempPath(), $"scanlogin-qr-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(file, image);
        try
        {
            using var zbar = Process.Start(new ProcessStartInfo("zbarimg", ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("zbarimg did not start (deploy/test.sh installs zbar-tools).");
            var output = zbar.StandardOutput.ReadToEnd();
            zbar.WaitForExit();
            return zbar.ExitCode == 0 ? output.TrimEnd('\n') : throw new InvalidOperationException($"zbarimg found no QR code ({zbar.ExitCode}).");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
