namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// What anyone holding the ticket id may see: never a token or a secret. <see cref="AllowedOrigins"/> tells the front end
/// which web origins may read it (CORS, fixed when the ticket was created); neither it nor <see cref="AppId"/> is sent to clients.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TicketSnapshot")]
public sealed record TicketSnapshot(
    [property: Id(0)] string TicketId,
    [property: Id(1)] TicketStatus Status,
    [property: Id(2)] int Version,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] ScannerProfile? Scanner,
    [property: Id(5)] string? ExchangeCode,
    [property: Id(6)] string? Reason,
    [property: Id(7)] string? AppId = null)
{
    public override string ToString() => $"TicketSnapshot {{ {TicketId}, {Status}, Version = {Version}, Reason = {Reason}, AppId = {AppId} }}";

    /// <summary>When the ticket grain sent this change to watching front ends (wall clock); only on pushed changes.</summary>
    [Id(8)] public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>Only in the phone's confirm answer of a ticket waiting for binding: the code the PC must type. Never pushed or read by status.</summary>
    [Id(9)] public string? BindingCode { get; init; }

    /// <summary>The web origins that may read this ticket's answers (CORS), as the access policy fixed them at creation.</summary>
    [Id(10)] public string[]? AllowedOrigins { get; init; }
}

/// <summary>The nickname and avatar the phone chose to show the PC once it scanned: self-declared, never verified (pages must say so).</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ScannerProfile")]
public sealed record ScannerProfile(
    [property: Id(0)] string? Nickname,
    [property: Id(1)] string? AvatarUrl);
