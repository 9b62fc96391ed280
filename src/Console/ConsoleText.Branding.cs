namespace ScanLogin.OperatorConsole;

/// <summary>The branding form's words in Chinese (kept apart so the main table is not edited by every feature).</summary>
public sealed partial class ConsoleText
{
    static ConsoleText()
    {
        foreach (var (english, chinese) in new Dictionary<string, string>
        {
            ["Branding"] = "品牌外观",
            ["How the hosted login page looks for every application of this pool that does not set its own. Empty fields keep ScanLogin's look."] =
                "本用户池中未自行设置外观的应用，其托管登录页的样子。留空的项保持 ScanLogin 默认外观。",
            ["How the hosted login page looks for this application. Empty fields fall back to the pool's branding, then to ScanLogin's look; dark values fall back to light ones."] =
                "此应用托管登录页的样子。留空的项依次沿用用户池的设置和 ScanLogin 默认外观；深色模式未设置的项沿用浅色模式的设置。",
            ["Page title (replaces “Sign in to …”, at most 60 characters)"] = "页面标题（替换“登录到 …”，最多 60 个字符）",
            ["Notice under the title (plain text, at most 200 characters)"] = "标题下方的提示（纯文本，最多 200 个字符）",
            ["Light colour scheme"] = "浅色模式",
            ["Dark colour scheme"] = "深色模式",
            ["Primary colour (#rgb or #rrggbb)"] = "主色（#rgb 或 #rrggbb）",
            ["Background colour (#rgb or #rrggbb)"] = "背景色（#rgb 或 #rrggbb）",
            ["Logo URL (https; an uploaded logo wins)"] = "Logo 地址（https；已上传的 Logo 优先）",
            ["Uploaded logo"] = "已上传的 Logo",
            ["Save branding"] = "保存品牌外观",
            ["Upload the light logo (PNG or JPEG, at most 1 MiB)"] = "上传浅色模式 Logo（PNG 或 JPEG，最大 1 MiB）",
            ["Upload the dark logo (PNG or JPEG, at most 1 MiB)"] = "上传深色模式 Logo（PNG 或 JPEG，最大 1 MiB）",
            ["Upload"] = "上传",
            ["Remove the uploaded logo"] = "删除已上传的 Logo",
            ["Choose a PNG or JPEG image first."] = "请先选择 PNG 或 JPEG 图片。",
            ["Live preview of the saved branding (your system's dark mode shows the dark look)"] = "已保存外观的实时预览（系统切换到深色模式可查看深色外观）",
        })
            Zh.TryAdd(english, chinese);
    }
}
