using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScanLogin.WebFront.Apis.Authing;

/// <summary>
/// The Authing v2 envelope. The SDK hands the caller <c>data</c> only when <c>code</c> is the number 200; any other code
/// (2241: the QR code does not exist; else the HTTP status the native API would answer) reaches the SDK's onError as
/// <c>{code, message, data}</c>, with <c>data.error</c> the native API's stable code.
/// </summary>
public sealed record AuthingEnvelope<T>(int Code, string Message, T? Data);

/// <summary>What a refused call carries in <c>data</c>: the stable code the native API would give (e.g. <c>ticket_not_found</c>).</summary>
public sealed record AuthingError(string Error);

/// <summary>
/// What <c>wxqrcode.geneCode()</c> posts. <c>context</c> feeds Authing's pipelines, which ScanLogin does not have: it is
/// accepted and ignored. <c>params</c> (custom user data) is refused when not empty: nothing here would store it.
/// <c>autoMergeQrCode</c> is ignored: the image always carries the identity source's logo already.
/// </summary>
public sealed record AuthingGeneRequest(bool? AutoMergeQrCode, string? Scene, JsonElement? Context, JsonElement? Params,
    string? ExtIdpConnId, bool? WithCustomData);

/// <summary>
/// A new QR code. <c>random</c> (URL-safe) is what the browser polls with and must keep to itself; <c>url</c> is the code as a
/// PNG, served with CORS for the application's allowed origins; <c>customLogo</c> is empty because the logo is already in the
/// image; <c>expiresIn</c> is in seconds.
/// </summary>
public sealed record AuthingGeneResult(string Random, string Url, string CustomLogo, int ExpiresIn)
{
    public override string ToString() => $"AuthingGeneResult {{ ExpiresIn = {ExpiresIn} }}";
}

/// <summary>
/// A poll's answer. <c>status</c>: 0 not scanned, 1 scanned, 2 authorized (then <c>ticket</c>, the same on every poll),
/// 3 cancelled, -1 expired, 5 refused by the pool's rules (then <c>scannedResult</c>). <c>userInfo</c> is never null.
/// </summary>
public sealed record AuthingQrStatus(string Random, int Status, string? Ticket, AuthingScannedUser UserInfo, AuthingScannedResult? ScannedResult)
{
    public override string ToString() => $"AuthingQrStatus {{ Status = {Status}, Ticket = {Ticket is not null} }}";
}

/// <summary>Who scanned, as the phone chose to show it: empty (<c>{}</c>) before a scan.</summary>
public sealed record AuthingScannedUser(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Nickname,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Photo)
{
    public static readonly AuthingScannedUser None = new(null, null);
}

/// <summary>Why a scanned login was refused (status 5): the SDK reads <c>errmsg</c>, Authing's Guard reads <c>message</c>.</summary>
public sealed record AuthingScannedResult(int Code, string Message, string Errmsg, string Reason);

/// <summary>What <c>wxqrcode.exchangeUserInfo(ticket)</c> posts.</summary>
public sealed record AuthingUserInfoRequest(string? Ticket)
{
    public override string ToString() => $"AuthingUserInfoRequest {{ Ticket = {Ticket is not null} }}";
}

/// <summary>
/// The user as the SDK stores it (<c>localStorage._authing_user</c>; <c>token</c> becomes its bearer token). Fields
/// ScanLogin does not keep (username, email, WeChat ids, login counts, last IP) are null rather than made up.
/// </summary>
public sealed record AuthingUser(
    string Id,
    string UserPoolId,
    string? Username,
    string? Nickname,
    string? Photo,
    string? Phone,
    bool PhoneVerified,
    string? Email,
    bool EmailVerified,
    string? Unionid,
    string? Openid,
    string Token,
    string TokenExpiredAt,
    int? LoginsCount,
    string? LastLogin,
    [property: JsonPropertyName("lastIP")] string? LastIp,
    string SignedUp,
    string CreatedAt,
    bool Blocked,
    bool IsDeleted)
{
    public override string ToString() => $"AuthingUser {{ Id = {Id}, UserPoolId = {UserPoolId}, TokenExpiredAt = {TokenExpiredAt} }}";
}

/// <summary>
/// The phone side (Authing's documented <c>scanned</c>, <c>confirm</c>, <c>cancel</c>). <c>random</c> is the ticket id the QR code
/// carries. <c>scanned</c> needs the wx.login <c>loginCode</c> (and optionally <c>nickname</c>, <c>avatarUrl</c>); <c>confirm</c> and
/// <c>cancel</c> need the <c>scanToken</c> it returned, in the body or as <c>Authorization: Bearer</c>; <c>confirm</c> may share
/// the phone number through <c>phoneCode</c>.
/// </summary>
public sealed record AuthingPhoneRequest(string? Random, string? LoginCode, string? Nickname, string? AvatarUrl, string? ScanToken, string? PhoneCode)
{
    public override string ToString() => $"AuthingPhoneRequest {{ Random = {Random}, Nickname = {Nickname}, PhoneShared = {PhoneCode is not null} }}";
}

/// <summary>The ticket after a phone move, with the check's status numbers.</summary>
public sealed record AuthingPhoneResult(string Random, int Status, string Description)
{
    public override string ToString() => $"AuthingPhoneResult {{ Random = {Random}, Status = {Status}, Description = {Description} }}";

    /// <summary>As in the native confirm answer: the 6 digits to type on the computer while the ticket waits for binding.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? BindingCode { get; init; }
}

/// <summary>After a scan: what the phone shows before the user approves, and the token its next move needs.</summary>
public sealed record AuthingScanResult(string Random, int Status, string Description, string ScanToken, string AppName,
    string IdentitySourceName, string? RequesterIp, string? RequesterUserAgent, DateTimeOffset RequestedAt)
{
    public override string ToString() => $"AuthingScanResult {{ Random = {Random}, Status = {Status}, AppName = {AppName} }}";
}
