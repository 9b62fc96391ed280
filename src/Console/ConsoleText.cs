namespace ScanLogin.OperatorConsole;

/// <summary>
/// The console's words in English or Chinese: the "console_lang" cookie (set by the switch) first, then Accept-Language.
/// Keyed by the English text, so a page reads as English and a missing translation shows English rather than nothing.
/// </summary>
public sealed partial class ConsoleText
{
    public const string CookieName = "console_lang";
    public const string English = "en";
    public const string Chinese = "zh-CN";

    public ConsoleText(IHttpContextAccessor context)
    {
        var request = context.HttpContext?.Request;
        Lang = Resolve(request?.Cookies[CookieName], request?.Headers.AcceptLanguage.ToString());
    }

    public string Lang { get; }

    public bool IsChinese => Lang == Chinese;

    public string this[string english] => IsChinese && Zh.TryGetValue(english, out var zh) ? zh : english;

    public static string Resolve(string? cookie, string? acceptLanguage)
    {
        if (cookie is English or Chinese) return cookie;
        foreach (var part in (acceptLanguage ?? "").Split(','))
        {
            var tag = part.Split(';')[0].Trim();
            if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase)) return Chinese;
            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return English;
        }
        return English;
    }
}
