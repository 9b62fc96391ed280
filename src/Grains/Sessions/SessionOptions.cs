namespace ScanLogin.Grains.Sessions;

/// <summary>Refresh-token timings (section "ScanLogin:Sessions"); a pool's session lifetime is a pool setting.</summary>
public sealed class SessionOptions
{
    public const string Section = "ScanLogin:Sessions";

    /// <summary>How long a refresh-token family lives after its code grant, however often it is rotated.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How many spent tokens of a family are remembered to recognise their reuse.</summary>
    public int SpentTokensKept { get; set; } = 64;
}
