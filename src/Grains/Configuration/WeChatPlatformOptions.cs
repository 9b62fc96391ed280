namespace ScanLogin.Grains.Configuration;

/// <summary>The platform's default mini program, used by identity sources without private deployment (section "ScanLogin:WeChat").</summary>
public sealed class WeChatPlatformOptions
{
    public const string Section = "ScanLogin:WeChat";

    public string DefaultMiniProgramAppId { get; set; } = "";

    public string DefaultMiniProgramAppSecret { get; set; } = "";

    /// <summary>
    /// Mini-program AppIDs the platform operator lets identity sources of several pools use. Any other AppID belongs to
    /// the first pool that configures it; either way its access token goes only to holders of a secret WeChat accepted.
    /// </summary>
    public string[] SharedMiniProgramAppIds { get; set; } = [];
}
