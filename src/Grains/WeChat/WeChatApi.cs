namespace ScanLogin.Grains.WeChat;

/// <summary>The WeChat server APIs ScanLogin calls. The base address is configurable so the emulator can stand in.</summary>
public interface IWeChatApi
{
    /// <summary>GET /sns/jscode2session: the user behind a wx.login code.</summary>
    Task<WeChatSession> Code2SessionAsync(WeChatAppCredentials app, string jsCode, CancellationToken ct = default);

    /// <summary>POST /cgi-bin/stable_token: the mini program's access token.</summary>
    Task<WeChatAccessToken> GetStableAccessTokenAsync(WeChatAppCredentials app, bool forceRefresh, CancellationToken ct = default);

    /// <summary>POST /wxa/business/getuserphonenumber: the phone number behind a phone-number code.</summary>
    Task<WeChatPhoneInfo> GetUserPhoneNumberAsync(string accessToken, string code, string? openId, CancellationToken ct = default);

    /// <summary>POST /wxa/getwxacodeunlimit: a mini-program code image for a scene.</summary>
    Task<WeChatCodeImage> GetUnlimitedCodeAsync(string accessToken, WeChatCodeRequest request, CancellationToken ct = default);

    /// <summary>POST /wxa/generate_urllink: an https://wxaurl.cn/... URL Link that opens a page of the mini program (also from a phone browser).</summary>
    Task<string> GenerateUrlLinkAsync(string accessToken, WeChatLinkRequest request, CancellationToken ct = default);

    /// <summary>POST /wxa/generatescheme: a weixin://dl/business/?t=... URL Scheme that opens a page of the mini program from a phone browser.</summary>
    Task<string> GenerateSchemeAsync(string accessToken, WeChatLinkRequest request, CancellationToken ct = default);
}

public sealed record WeChatAppCredentials(string AppId, string AppSecret)
{
    public override string ToString() => $"WeChatAppCredentials {{ AppId = {AppId} }}";
}

/// <summary>A WeChat user of one mini program. The session key must never leave the server.</summary>
public sealed record WeChatSession(string OpenId, string? UnionId, string SessionKey)
{
    public override string ToString() => $"WeChatSession {{ OpenId = {OpenId}, UnionId = {UnionId} }}";
}

public sealed record WeChatAccessToken(string Token, TimeSpan ExpiresIn)
{
    public override string ToString() => $"WeChatAccessToken {{ ExpiresIn = {ExpiresIn} }}";
}

public sealed record WeChatPhoneInfo(string PhoneNumber, string PurePhoneNumber, string CountryCode, string WatermarkAppId, long WatermarkTimestamp)
{
    public override string ToString() => $"WeChatPhoneInfo {{ CountryCode = {CountryCode}, WatermarkAppId = {WatermarkAppId} }}";
}

public sealed record WeChatCodeImage(byte[] Bytes, string ContentType);

public sealed record WeChatCodeRequest(string Scene, string? Page, int Width, string EnvVersion, bool CheckPath);

/// <summary>Where a URL Link or Scheme lands (a published page, no leading '/', and its query) and for how many days (1 to 30) it works.</summary>
public sealed record WeChatLinkRequest(string Path, string Query, string EnvVersion, int ExpireIntervalDays)
{
    public override string ToString() => $"WeChatLinkRequest {{ Path = {Path}, EnvVersion = {EnvVersion} }}";
}

/// <summary>WeChat answered with a non-zero errcode (or could not be understood: -1).</summary>
public sealed class WeChatApiException(int errCode, string errMsg) : Exception($"WeChat error {errCode}: {errMsg}")
{
    public int ErrCode { get; } = errCode;

    public string ErrMsg { get; } = errMsg;
}

/// <summary>The errcodes ScanLogin reacts to (see shared/reference/wechat-server-api.md).</summary>
public static class WeChatErrorCodes
{
    public const int Busy = -1;
    public const int InvalidCredential = 40001;
    public const int InvalidGrantType = 40002;
    public const int InvalidAppId = 40013;
    public const int InvalidCode = 40029;
    public const int InvalidArgument = 40097;
    public const int InvalidAppSecret = 40125;
    public const int CodeUsed = 40163;
    public const int IpNotWhitelisted = 40164;
    public const int HighRiskUser = 40226;
    public const int AccessTokenExpired = 42001;
    public const int PageInvalid = 41030;
    public const int QuotaReached = 45009;
    public const int RateLimited = 45011;
    public const int DataFormatError = 47001;
    public const int LinkPathInvalid = 40165;
    public const int LinkQueryInvalid = 40212;
    public const int LinkExpireTimeInvalid = 85401;
    public const int LinkExpireIntervalInvalid = 85402;
    public const int LinksTooFast = 44990;
}
