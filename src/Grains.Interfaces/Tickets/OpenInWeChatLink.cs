namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// A WeChat link (URL Link <c>https://wxaurl.cn/...</c>, or URL Scheme <c>weixin://dl/business/?t=...</c>) that opens the
/// mini program's confirm page for one ticket: the way in when the code is shown on the phone that would scan it.
/// It opens only what the QR code opens, so anyone who can see the ticket may have it.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.OpenInWeChatLink")]
public sealed record OpenInWeChatLink(
    [property: Id(0)] string Url,
    [property: Id(1)] DateTimeOffset ExpiresAt);
