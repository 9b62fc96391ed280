namespace ScanLogin.Grains.WeChat;

/// <summary>The mini program's pages as links name them (section "ScanLogin:MiniProgram").</summary>
public sealed class MiniProgramOptions
{
    public const string Section = "ScanLogin:MiniProgram";

    /// <summary>The confirm page (no leading '/'); its query is <c>ticket=&lt;id&gt;</c>.</summary>
    public string ConfirmPage { get; set; } = "pages/confirm/confirm";

    /// <summary>Which mini program version a link opens outside WeChat: release, trial or develop.</summary>
    public string EnvVersion { get; set; } = "release";

    /// <summary>
    /// What "Open in WeChat" uses: <c>UrlLink</c> (https://wxaurl.cn/..., works in WeChat's browser and in others) or
    /// <c>Scheme</c> (weixin://..., other browsers only).
    /// </summary>
    public string SameDeviceLink { get; set; } = "UrlLink";

    /// <summary>Days a link works (WeChat allows 1 to 30); its ticket expires long before.</summary>
    public int LinkLifetimeDays { get; set; } = 1;
}
