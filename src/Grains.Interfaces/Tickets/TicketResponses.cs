namespace ScanLogin.Grains.Interfaces;

/// <summary>What the phone sees after scanning: the ticket plus who is asking.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ScanView")]
public sealed record ScanView(
    [property: Id(0)] TicketSnapshot Ticket,
    [property: Id(1)] string ScanToken,
    [property: Id(2)] string AppName,
    [property: Id(3)] string IdentitySourceName,
    [property: Id(4)] Requester Requester,
    [property: Id(5)] DateTimeOffset RequestedAt)
{
    public override string ToString() => $"ScanView {{ Ticket = {Ticket}, AppName = {AppName}, Requester = {Requester} }}";

    /// <summary><c>web</c>, <c>server</c> or <c>hosted_login</c> (the requester is then the browser on the pool's hosted page). Id 20: clear of other new members.</summary>
    [Id(20)] public string RequestedVia { get; init; } = "server";

    /// <summary>The application's logo for the phone to show (an absolute http(s) URL), as it was when the ticket was created.</summary>
    [Id(21)] public string? AppLogoUrl { get; init; }
}

/// <summary>The PC side's reward for a confirmed ticket: the user, an ID token and an access token signed by the pool's key.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ExchangeGrant")]
public sealed record ExchangeGrant(
    [property: Id(0)] UserProfile User,
    [property: Id(10)] IssuedTokens Tokens,
    [property: Id(11)] string? AppId = null)
{
    /// <summary>The web origins that may read the exchange's answer (CORS): the ticket's, fixed at its creation.</summary>
    [Id(12)] public string[]? AllowedOrigins { get; init; }

    public override string ToString() => $"ExchangeGrant {{ User = {User}, Tokens = {Tokens}, AppId = {AppId} }}";

    public string AccessToken => Tokens.AccessToken;

    public string IdToken => Tokens.IdToken;

    public DateTimeOffset ExpiresAt => Tokens.Stamp.ExpiresAt;
}
