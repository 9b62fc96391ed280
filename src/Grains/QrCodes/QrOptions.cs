namespace ScanLogin.Grains.QrCodes;

/// <summary>How ticket codes are made (section "ScanLogin:Qr").</summary>
public sealed class QrOptions
{
    public const string Section = "ScanLogin:Qr";

    /// <summary>
    /// The platform mini program's "scan an ordinary QR code to open" address; the ticket id is appended.
    /// WeChat opens the mini program for any code starting with the prefix registered for it.
    /// </summary>
    public string MiniProgramLinkPrefix { get; set; } = "https://mp.scanlogin.example/s/";

    /// <summary>The page a privately deployed mini program opens (no leading '/'): src/MiniProgram's confirm page.</summary>
    public string MiniProgramPage { get; set; } = "pages/confirm/confirm";

    /// <summary>release, trial or develop.</summary>
    public string EnvVersion { get; set; } = "release";

    /// <summary>Width asked of WeChat for pre-generated codes (280 to 1280).</summary>
    public int WeChatCodeWidth { get; set; } = 430;

    /// <summary>Codes kept ready per privately deployed identity source.</summary>
    public int CodePoolSize { get; set; } = 32;

    /// <summary>At most this many codes generated a second per identity source (WeChat allows about 5,000 a minute).</summary>
    public int CodesPerSecond { get; set; } = 20;

    /// <summary>How long a handed-out code stays available for its ticket.</summary>
    public TimeSpan HandedOutRetention { get; set; } = TimeSpan.FromMinutes(10);
}
