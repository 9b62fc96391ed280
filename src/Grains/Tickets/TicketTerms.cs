namespace ScanLogin.Grains.Tickets;

/// <summary>
/// What a ticket keeps of its application and identity source from its creation on (<see cref="Access.AccessPolicy.TermsFor"/>),
/// so its pictures and its CORS answers never read either again.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TicketTerms")]
public sealed record TicketTerms(
    // The web origins that may read the ticket's answers (CORS).
    [property: Id(0)] string[] AllowedOrigins,
    // The source's logo at creation: the version drawn into the code.
    [property: Id(1)] string? LogoHash,
    // The source's own mini program makes the code (scene = ticket id) rather than a QR code of the shared link.
    [property: Id(2)] bool PrivateDeployment,
    // The mini program the code opens: a phone action under another one (the source's mini program was replaced) is refused.
    [property: Id(3)] string? MiniProgramAppId = null);
