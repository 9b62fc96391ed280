namespace ScanLogin.Grains.Interfaces;

/// <summary>Who asked for a ticket, so the phone can show what it is approving.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Requester")]
public sealed record Requester(
    [property: Id(0)] string? IpAddress,
    [property: Id(1)] string? UserAgent,
    [property: Id(2)] string? Origin);

/// <summary>
/// Opens a new ticket. The browser secret arrives already hashed: the grain never sees it. A request without a browser
/// Origin comes from a server, which must show the application's credentials in <see cref="App"/>. An empty
/// <see cref="IdentitySource"/> asks for the application's one usable source (the access policy's "default source").
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TicketOpening")]
public sealed record TicketOpening(
    [property: Id(0)] string AppId,
    [property: Id(1)] string IdentitySource,
    [property: Id(2)] Requester Requester,
    [property: Id(3)] string BrowserSecretHash,
    [property: Id(4)] AppCredentials? App = null,
    // Id 10: clear of other new members.
    [property: Id(10)] string? Nonce = null,
    // Set only by ScanLogin's hosted OpenID Connect login, which has already checked the client and its redirect URI.
    [property: Id(11)] bool HostedLogin = false)
{
    public override string ToString() =>
        $"TicketOpening {{ AppId = {AppId}, IdentitySource = {IdentitySource}, Requester = {Requester}, App = {App}, Nonce = {Nonce is not null}, HostedLogin = {HostedLogin} }}";
}

/// <summary>The phone scanned the code: a fresh wx.login code proves which WeChat user it is.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ScanRequest")]
public sealed record ScanRequest(
    [property: Id(0)] string LoginCode,
    [property: Id(1)] string? Nickname,
    [property: Id(2)] string? AvatarUrl)
{
    public override string ToString() => $"ScanRequest {{ Nickname = {Nickname}, AvatarUrl = {AvatarUrl} }}";
}

/// <summary>The phone approves. The scan token ties it to the user who scanned.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ConfirmRequest")]
public sealed record ConfirmRequest(
    [property: Id(0)] string ScanToken,
    [property: Id(1)] string? PhoneCode)
{
    public override string ToString() => $"ConfirmRequest {{ PhoneShared = {PhoneCode is not null} }}";
}

/// <summary>
/// The PC side trades the one-time exchange code; exactly one proof must be given. <c>HostedLogin</c> is set only by
/// ScanLogin's own hosted OpenID Connect login, which hands the browser an authorization code rather than the user, so the
/// pool's "backend exchange only" rule is kept by the token endpoint instead.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ExchangeRequest")]
public sealed record ExchangeRequest(
    [property: Id(0)] string ExchangeCode,
    [property: Id(1)] string? BrowserSecret,
    [property: Id(2)] AppCredentials? App,
    [property: Id(3)] string? IdempotencyKey,
    [property: Id(4)] bool HostedLogin = false)
{
    public override string ToString() => $"ExchangeRequest {{ Browser = {BrowserSecret is not null}, App = {App?.AppId}, HostedLogin = {HostedLogin} }}";
}

[GenerateSerializer, Immutable, Alias("ScanLogin.AppCredentials")]
public sealed record AppCredentials(
    [property: Id(0)] string AppId,
    [property: Id(1)] string AppSecret)
{
    public override string ToString() => $"AppCredentials {{ AppId = {AppId} }}";
}
