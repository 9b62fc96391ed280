namespace ScanLogin.WebFront.Oidc;

/// <summary>The hosted login's words in Chinese and English, picked by ui_locales, then Accept-Language.</summary>
public sealed class LoginText
{
    public const string Chinese = "zh-CN";
    public const string English = "en";

    public required string Lang { get; init; }
    public required string Title { get; init; }
    public required string With { get; init; }
    public required string QrAlt { get; init; }
    public required string Pending { get; init; }
    public required string Scanned { get; init; }
    public required string ScannedBy { get; init; }
    public required string Confirmed { get; init; }
    public required string Expired { get; init; }
    public required string Refresh { get; init; }
    public required string Cancelled { get; init; }
    public required string AccountNotFound { get; init; }
    public required string Blocked { get; init; }
    public required string BindingRequired { get; init; }
    public required string Refused { get; init; }
    public required string Failed { get; init; }
    public required string TimedOut { get; init; }
    public required string CancelAndReturn { get; init; }
    public required string OtherLanguage { get; init; }
    public required string OtherLanguageCode { get; init; }
    public required string ErrorTitle { get; init; }
    public required string OtherBrowser { get; init; }
    public required string PopupDone { get; init; }
    public required string BindingTitle { get; init; }
    public required string BindingIntro { get; init; }
    public required string BindingExistingTitle { get; init; }
    public required string BindingAccount { get; init; }
    public required string BindingPassword { get; init; }
    public required string BindingSignIn { get; init; }
    public required string BindingNewTitle { get; init; }
    public required string BindingNewUsername { get; init; }
    public required string BindingNewPassword { get; init; }
    public required string BindingCreate { get; init; }
    public required string BindingWrong { get; init; }
    public required string BindingLocked { get; init; }
    public required string BindingTaken { get; init; }
    public required string BindingInvalid { get; init; }
    public required string BindingCode { get; init; }
    public required string BindingCodeHint { get; init; }
    public required string BindingCodeWrong { get; init; }
    public required string SelfDeclared { get; init; }
    public required string AddressChanged { get; init; }
    public required string OpenInWeChat { get; init; }
    public required string OpenInWeChatHint { get; init; }
    public required string FormUnreadable { get; init; }
    public required string PoolNotFound { get; init; }
    public required string ClientOrRedirectRepeated { get; init; }
    public required string UnknownClient { get; init; }
    public required string RedirectUriNotRegistered { get; init; }
    public required string TooManyLogins { get; init; }
    public required string FormPostSubmit { get; init; }
    public required string TryLoginNotWaiting { get; init; }
    public required string TryLoginNotFinished { get; init; }
    public required string TryLoginSignedIn { get; init; }
    public required string ParameterRepeated { get; init; }
    public required string UnknownApplication { get; init; }
    public required string SourceUnusable { get; init; }
    public required string CallbackNotRegistered { get; init; }
    public required string StateTooLong { get; init; }
    public required string IdTokenHintInvalid { get; init; }
    public required string ClientIdDiffersFromHint { get; init; }
    public required string LogoutRedirectNotRegistered { get; init; }
    public required string SignedOut { get; init; }
    public required string SignOut { get; init; }
    public required string SignOutQuestion { get; init; }
    public required string SignOutExplain { get; init; }
    public required string MoreLinks { get; init; }

    public static readonly LoginText En = new()
    {
        Lang = English,
        Title = "Sign in to {0}",
        With = "with {0}",
        QrAlt = "QR code: scan it with WeChat to sign in",
        Pending = "Open WeChat and scan the code to sign in.",
        Scanned = "Scanned. Confirm the login on your phone.",
        ScannedBy = "Scanned by a WeChat user who calls themselves “{0}” (self-declared, not verified). Confirm the login on your phone.",
        Confirmed = "Confirmed. Signing you in…",
        Expired = "This code has expired.",
        Refresh = "Get a new code",
        Cancelled = "The login was cancelled on the phone.",
        AccountNotFound = "There is no account for this WeChat user, and this site does not create new ones. Sign in with a registered WeChat account.",
        Blocked = "This account is blocked. Contact the site if you think this is a mistake.",
        BindingRequired = "This WeChat account is not linked to an account of this site yet.",
        Refused = "The login was refused.",
        Failed = "Something went wrong. Get a new code and try again.",
        TimedOut = "This sign-in has timed out or was already used. Go back to the site and start again.",
        CancelAndReturn = "Cancel and return to {0}",
        OtherLanguage = "中文",
        OtherLanguageCode = Chinese,
        ErrorTitle = "Sign-in error",
        OtherBrowser = "This sign-in was started in another browser. Start again from the site in this browser.",
        PopupDone = "Signed in. You can close this window.",
        BindingTitle = "Link your WeChat account",
        BindingIntro = "This WeChat account is new here. Sign in to your existing account to link it, or create a new account.",
        BindingExistingTitle = "I have an account",
        BindingAccount = "Username, email or phone number (+86…)",
        BindingPassword = "Password",
        BindingSignIn = "Sign in and link",
        BindingNewTitle = "I am new here",
        BindingNewUsername = "Username (optional)",
        BindingNewPassword = "Password (optional, at least 8 characters)",
        BindingCreate = "Create my account",
        BindingWrong = "Wrong account or password. Attempts left: {0}.",
        BindingLocked = "This account is locked for a while after too many wrong passwords.",
        BindingTaken = "That username or email is already taken.",
        BindingInvalid = "Please check the form: {0}",
        BindingCode = "Code shown on your phone",
        BindingCodeHint = "Your phone shows a 6-digit code after you confirm. Type it here: only the phone that scanned can link its WeChat to an account. If your phone shows no code, someone else scanned this QR code: do not sign in here.",
        BindingCodeWrong = "That is not the code your phone shows. Attempts left: {0}.",
        SelfDeclared = "“{0}” (self-declared name)",
        AddressChanged = "This sign-in was started from another network address, and this site asks to finish it where it started. Start again from the site.",
        OpenInWeChat = "Open in WeChat",
        OpenInWeChatHint = "On this phone? Confirm in WeChat, then come back here.",
        FormUnreadable = "The request's form could not be read.",
        PoolNotFound = "This user pool does not exist.",
        ClientOrRedirectRepeated = "client_id or redirect_uri is repeated.",
        UnknownClient = "Unknown application (client_id).",
        RedirectUriNotRegistered = "redirect_uri is not one of the application's registered callback URLs.",
        TooManyLogins = "Too many logins from this address; try again in {0} s.",
        FormPostSubmit = "OK",
        TryLoginNotWaiting = "No try login is waiting for this callback.",
        TryLoginNotFinished = "The login did not finish; the console shows why.",
        TryLoginSignedIn = "Signed in. You can close this window: the console shows the result.",
        ParameterRepeated = "{0} is repeated.",
        UnknownApplication = "Unknown application (app_id).",
        SourceUnusable = "This identity source is unknown, disabled or not enabled for this application.",
        CallbackNotRegistered = "The callback URL is neither the identity source's nor one of the application's registered callback URLs.",
        StateTooLong = "state is longer than 2048 characters.",
        IdTokenHintInvalid = "id_token_hint is not an ID token of this user pool.",
        ClientIdDiffersFromHint = "client_id differs from the id_token_hint's audience.",
        LogoutRedirectNotRegistered = "post_logout_redirect_uri is not one of the application's registered callback URLs (name the application by id_token_hint or client_id).",
        SignedOut = "You are signed out.",
        SignOut = "Sign out",
        SignOutQuestion = "Sign out?",
        SignOutExplain = "You will need to scan again to sign in to this pool's applications.",
        MoreLinks = "More",
    };

    public static readonly LoginText Zh = new()
    {
        Lang = Chinese,
        Title = "登录 {0}",
        With = "使用{0}",
        QrAlt = "二维码：请用微信扫码登录",
        Pending = "请打开微信，扫描二维码登录。",
        Scanned = "已扫码，请在手机上确认登录。",
        ScannedBy = "自称“{0}”的微信用户已扫码（昵称未经验证），请在手机上确认登录。",
        Confirmed = "已确认，正在登录…",
        Expired = "二维码已过期。",
        Refresh = "刷新二维码",
        Cancelled = "已在手机上取消登录。",
        AccountNotFound = "该微信用户没有账号，且本网站不允许注册新账号。请使用已注册的微信账号登录。",
        Blocked = "该账号已被禁用。如有疑问，请联系网站。",
        BindingRequired = "该微信账号尚未绑定本网站的账号。",
        Refused = "登录被拒绝。",
        Failed = "出错了，请刷新二维码后重试。",
        TimedOut = "本次登录已超时或已完成。请返回网站重新开始。",
        CancelAndReturn = "取消并返回 {0}",
        OtherLanguage = "English",
        OtherLanguageCode = English,
        ErrorTitle = "登录出错",
        OtherBrowser = "本次登录是在另一个浏览器中发起的。请在此浏览器中从网站重新开始。",
        PopupDone = "已登录，可以关闭此窗口。",
        BindingTitle = "绑定微信账号",
        BindingIntro = "该微信账号首次登录本网站。请登录已有账号完成绑定，或创建新账号。",
        BindingExistingTitle = "我有账号",
        BindingAccount = "用户名、邮箱或手机号（+86…）",
        BindingPassword = "密码",
        BindingSignIn = "登录并绑定",
        BindingNewTitle = "我是新用户",
        BindingNewUsername = "用户名（可选）",
        BindingNewPassword = "密码（可选，至少 8 位）",
        BindingCreate = "创建账号",
        BindingWrong = "账号或密码错误。剩余尝试次数：{0}。",
        BindingLocked = "密码错误次数过多，该账号已被暂时锁定。",
        BindingTaken = "该用户名或邮箱已被使用。",
        BindingInvalid = "请检查填写内容：{0}",
        BindingCode = "手机上显示的验证码",
        BindingCodeHint = "确认登录后，手机上会显示 6 位验证码。请在此输入：只有扫码的手机才能把它的微信绑定到账号。如果你的手机没有显示验证码，说明是别人扫了这个二维码，请不要在此登录。",
        BindingCodeWrong = "验证码与手机上显示的不一致。剩余尝试次数：{0}。",
        SelfDeclared = "自称“{0}”（昵称未经验证）",
        AddressChanged = "本次登录是从另一个网络地址发起的，该网站要求在发起处完成登录。请返回网站重新开始。",
        OpenInWeChat = "在微信中打开",
        OpenInWeChatHint = "正在用这部手机？在微信中确认后回到这里。",
        FormUnreadable = "无法读取请求的表单。",
        PoolNotFound = "用户池不存在。",
        ClientOrRedirectRepeated = "client_id 或 redirect_uri 重复。",
        UnknownClient = "未知的应用（client_id）。",
        RedirectUriNotRegistered = "redirect_uri 不是该应用登记的回调地址。",
        TooManyLogins = "请求过于频繁，请 {0} 秒后再试。",
        FormPostSubmit = "确定",
        TryLoginNotWaiting = "没有等待此回调的体验登录。",
        TryLoginNotFinished = "登录未完成，请回到控制台查看。",
        TryLoginSignedIn = "登录成功。可以关闭此窗口，结果显示在控制台中。",
        ParameterRepeated = "参数 {0} 重复。",
        UnknownApplication = "未知的应用（app_id）。",
        SourceUnusable = "身份源不存在、已停用或未对该应用开启。",
        CallbackNotRegistered = "回调地址不是该身份源或应用登记的地址。",
        StateTooLong = "state 过长（超过 2048 个字符）。",
        IdTokenHintInvalid = "id_token_hint 不是该用户池签发的 ID Token。",
        ClientIdDiffersFromHint = "client_id 与 id_token_hint 的受众不符。",
        LogoutRedirectNotRegistered = "post_logout_redirect_uri 不是该应用登记的回调地址（请用 id_token_hint 或 client_id 指明应用）。",
        SignedOut = "你已退出登录。",
        SignOut = "退出登录",
        SignOutQuestion = "退出登录？",
        SignOutExplain = "退出后，本用户池的其他应用也需要重新扫码登录。",
        MoreLinks = "其他操作",
    };

    /// <summary>The first supported language in ui_locales (space-separated), else in Accept-Language (by quality), else English.</summary>
    public static string Resolve(string? uiLocales, string? acceptLanguage)
    {
        foreach (var tag in (uiLocales ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (Match(tag) is { } found) return found;
        var ranked = (acceptLanguage ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((part, index) =>
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                var q = pieces.Skip(1).Select(p => p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && double.TryParse(p[2..], System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 1).FirstOrDefault(1.0);
                return (Tag: pieces[0], Q: q, Index: index);
            })
            .Where(x => x.Q > 0)
            .OrderByDescending(x => x.Q).ThenBy(x => x.Index);
        foreach (var (tag, _, _) in ranked)
            if (Match(tag) is { } found) return found;
        return English;
    }

    public static LoginText For(string locale) => locale == Chinese ? Zh : En;

    private static string? Match(string tag) =>
        tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? Chinese
        : tag.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? English
        : null;
}
