namespace ScanLogin.Grains.Tickets;

/// <summary>Everything a ticket remembers; persisted on every change. Immutable: a move yields a new state.</summary>
[GenerateSerializer, Alias("ScanLogin.TicketState")]
public sealed record TicketState
{
    public override string ToString() => $"TicketState {{ {TicketId}, {Status}, Version = {Version}, {PoolId}/{AppId}, Reason = {Reason} }}";

    [Id(0)] public string TicketId { get; init; } = "";
    [Id(1)] public TicketStatus Status { get; init; }
    [Id(2)] public int Version { get; init; }
    [Id(3)] public string PoolId { get; init; } = "";
    [Id(4)] public string AppId { get; init; } = "";
    [Id(5)] public string IdentitySource { get; init; } = "";
    [Id(6)] public Requester Requester { get; init; } = new(null, null, null);
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Pending and scanned tickets expire at this instant.</summary>
    [Id(8)] public DateTimeOffset ConfirmBy { get; init; }
    /// <summary>A confirmed ticket must be exchanged before this instant.</summary>
    [Id(9)] public DateTimeOffset? ExchangeBy { get; init; }
    /// <summary>When a terminal state was reached.</summary>
    [Id(10)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(11)] public string BrowserSecretHash { get; init; } = "";
    [Id(12)] public Scanner? Scanner { get; init; }
    [Id(13)] public UserProfile? User { get; init; }
    [Id(14)] public string? ExchangeCode { get; init; }
    [Id(15)] public string? Reason { get; init; }
    [Id(16)] public IssuedToken? Token { get; init; }
    [Id(17)] public string AppName { get; init; } = "";
    [Id(18)] public string IdentitySourceName { get; init; } = "";
    /// <summary>When the user approved on the phone: the tokens' auth_time. (Id 30 keeps clear of other new fields.)</summary>
    [Id(30)] public DateTimeOffset? ConfirmedAt { get; init; }
    /// <summary>The PC site's nonce, echoed in the ID token so the site can tie the token to its own session.</summary>
    [Id(31)] public string? Nonce { get; init; }
    /// <summary>A ticket waiting for binding must be bound (or a new account made) before this instant. (Ids 40-42 keep clear of other new fields.)</summary>
    [Id(40)] public DateTimeOffset? BindBy { get; init; }
    /// <summary>The approved WeChat login waiting to be bound; dropped when the ticket moves on.</summary>
    [Id(41)] public WeChatLogin? PendingLogin { get; init; }
    /// <summary>Wrong passwords tried on this ticket while binding.</summary>
    [Id(42)] public int BindingFailures { get; init; }
    /// <summary>The binding signed in to an existing account with its password: the tokens' amr says so.</summary>
    [Id(43)] public bool PasswordProven { get; init; }
    /// <summary>The 6-digit code the phone shows while the ticket waits for binding: the PC types it to prove it is with that phone.</summary>
    [Id(44)] public string? BindingCode { get; init; }
    /// <summary>Opened by the pool's hosted login page (the requester is the browser that opened it), not by the application.</summary>
    [Id(45)] public bool HostedLogin { get; init; }
    /// <summary>What the ticket keeps of its application and source, fixed by the access policy at creation. Null only in a
    /// ticket stored before it was kept: the ticket grain fills it in when it loads one.</summary>
    [Id(46)] public TicketTerms? Terms { get; init; }

    /// <summary>How the ticket was asked for, as the phone is told: <c>hosted_login</c>, <c>web</c> (a page on the origin) or <c>server</c>.</summary>
    public string RequestedVia => HostedLogin ? "hosted_login" : Requester.Origin is { Length: > 0 } ? "web" : "server";

    /// <summary>The instant the current phase ends: the next move the clock can force.</summary>
    public DateTimeOffset? Deadline => Status switch
    {
        TicketStatus.Pending or TicketStatus.Scanned => ConfirmBy,
        TicketStatus.Confirmed => ExchangeBy,
        TicketStatus.BindingRequired => BindBy,
        _ => null,
    };

    public TicketSnapshot ToSnapshot() => new(
        TicketId,
        Status,
        Version,
        Deadline,
        Scanner is null ? null : new ScannerProfile(Scanner.Nickname, Scanner.AvatarUrl),
        Status == TicketStatus.Confirmed ? ExchangeCode : null,
        Reason,
        AppId)
    {
        AllowedOrigins = Terms?.AllowedOrigins,
    };
}

/// <summary>The WeChat user who scanned; later moves must come from the same one.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Scanner")]
public sealed record Scanner(
    [property: Id(0)] string OpenId,
    [property: Id(1)] string? UnionId,
    [property: Id(2)] string? Nickname,
    [property: Id(3)] string? AvatarUrl,
    [property: Id(4)] string ScanCodeHash,
    [property: Id(5)] string ScanTokenHash);

/// <summary>The facts the tokens were signed from, so a retried exchange re-signs the same claims with the same key.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.IssuedToken")]
public sealed record IssuedToken(
    [property: Id(0)] string TokenId,
    [property: Id(1)] DateTimeOffset IssuedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string? IdempotencyKeyHash,
    [property: Id(4)] string Audience,
    [property: Id(5)] string KeyId = "")
{
    public TokenStamp Stamp => new(TokenId, KeyId, IssuedAt, ExpiresAt);
}
