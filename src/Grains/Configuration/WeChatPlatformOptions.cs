namespace ScanLogin.Grains.Configuration;

/// <summary>The platform's default mini program, used by identity sources without private deployment (section "ScanLogin:WeChat").</summary>
public sealed class WeChatPlatformOptions
{
    public const string Section = "ScanLogin:WeChat";

    public string DefaultMiniProgramAppId { get; set; } = "";

    public string DefaultMiniProgramAppSecret { get; set; } = "";
}
