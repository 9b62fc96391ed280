using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>Asks for a QR ticket for one application and one of its identity sources; a <c>nonce</c> comes back in the ID token.</summary>
public sealed record CreateTicketRequest(string? AppId, string? IdentitySource, string? Nonce = null)
{
    public override string ToString() => $"CreateTicketRequest {{ AppId = {AppId}, IdentitySource = {IdentitySource}, Nonce = {Nonce is not null} }}";
}

/// <summary>
/// A new ticket. <c>browserSecret</c> is shown once: keep it in the page and send it as X-Browser-Secret to exchange.
/// <c>scene</c> is what the mini-program code carries (at most 32 characters); <c>qrImageUrl</c> is the code as a PNG
/// (also <c>qr.svg</c>, and <c>qr?format=png</c> for a data URL).
/// </summary>
public sealed record TicketCreated(string TicketId, string BrowserSecret, string Scene, string QrImageUrl, TicketView Ticket)
{
    public override string ToString() => $"TicketCreated {{ {TicketId}, Ticket = {Ticket} }}";
}

/// <summary>A ticket's status as any holder of its id sees it: no token, no secret.</summary>
public sealed record TicketView(string TicketId, string Status, int Version, DateTimeOffset? ExpiresAt,
    ScannerProfile? Scanner, string? ExchangeCode, string? Reason)
{
    public override string ToString() => $"TicketView {{ {TicketId}, {Status}, Version = {Version}, ExpiresAt = {ExpiresAt:O}, Reason = {Reason} }}";

    /// <summary>Only in the phone's confirm answer of a ticket waiting for binding: the 6 digits the user types on the computer.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? BindingCode { get; init; }

    public static TicketView From(TicketSnapshot s) =>
        new(s.TicketId, s.Status.ToWireName(), s.Version, s.ExpiresAt, s.Scanner, s.ExchangeCode, s.Reason) { BindingCode = s.BindingCode };
}

/// <summary>Trades the one-time exchange code (from a confirmed ticket's status) for the user and a token.</summary>
public sealed record ExchangeTicketRequest(string? Code)
{
    public override string ToString() => "ExchangeTicketRequest { }";
}

/// <summary>
/// The user and the pool's tokens: <c>accessToken</c> (RFC 9068 JWT, typ at+jwt) and <c>idToken</c> (OpenID Connect),
/// both verifiable against /oidc/{poolId}/jwks; <c>expiresAt</c> is when both expire.
/// </summary>
public sealed record ExchangeResponse(UserView User, string AccessToken, string TokenType, DateTimeOffset ExpiresAt, string IdToken)
{
    public override string ToString() => $"ExchangeResponse {{ User = {User}, TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O} }}";
}

public sealed record UserView(string Id, string PoolId, string? Nickname, string? AvatarUrl, string? Phone, DateTimeOffset CreatedAt)
{
    public static UserView From(UserProfile u) => new(u.Id, u.PoolId, u.Nickname, u.AvatarUrl, u.Phone, u.CreatedAt);

    public override string ToString() => $"UserView {{ Id = {Id}, PoolId = {PoolId}, Phone = {PhoneMask.Mask(Phone)} }}";
}

/// <summary>The phone scanned the code: the login code comes from wx.login; nickname and avatar are what the user chose to share.</summary>
public sealed record ScanTicketRequest(string? LoginCode, string? Nickname, string? AvatarUrl)
{
    public override string ToString() => $"ScanTicketRequest {{ Nickname = {Nickname}, AvatarUrl = {AvatarUrl} }}";
}

/// <summary>
/// What the phone shows before the user approves: which application asks, from which web origin (null when the
/// application's own backend created the ticket with its secret) and which IP address, so the mini program can warn
/// when the page showing the code is not the application's site.
/// </summary>
public sealed record ScanResponse(TicketView Ticket, string ScanToken, string AppName, string IdentitySourceName,
    string? RequesterIp, string? RequesterUserAgent, DateTimeOffset RequestedAt, string? RequesterOrigin)
{
    public override string ToString() => $"ScanResponse {{ Ticket = {Ticket}, AppName = {AppName}, RequesterOrigin = {RequesterOrigin} }}";

    /// <summary>The application's logo (an absolute URL, from its <c>logoUrl</c>), or null when it has none.</summary>
    public string? AppLogoUrl { get; init; }

    /// <summary>
    /// <c>web</c> (a page on <c>requesterOrigin</c>), <c>server</c> (the application's backend: IP and user agent are its
    /// server's) or <c>hosted_login</c> (the pool's hosted login page: IP and user agent are the browser's that opened it).
    /// </summary>
    public string? RequestedVia { get; init; }
}

/// <summary>The phone approves; the phone code comes from the mini program's phone-number button.</summary>
public sealed record ConfirmTicketRequest(string? ScanToken, string? PhoneCode)
{
    public override string ToString() => $"ConfirmTicketRequest {{ PhoneShared = {PhoneCode is not null} }}";
}

public sealed record CancelTicketRequest(string? ScanToken)
{
    public override string ToString() => "CancelTicketRequest { }";
}
