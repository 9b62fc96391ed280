namespace ScanLogin.Grains.Tickets;

/// <summary>
/// What a ticket keeps of its application and identity source from its creation on (<see cref="Access.AccessPolicy.TermsFor"/>),
/// so its pictures, its CORS answers and the phone's view never read either again.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TicketTerms")]
public sealed record TicketTerms(
    // The web origins that may read the ticket's answers (CORS).
    [property: Id(0)] string[] AllowedOrigins,
    // The source's logo at creation: the version drawn into the code.
    [property: Id(1)] string? LogoHash,
    // The source's own mini program makes the code (scene = ticket id) rather than a QR code of the shared link.
    [property: Id(2)] bool PrivateDeployment,
    // The application's logo for the phone to show, already checked to be an absolute http(s) URL.
    [property: Id(3)] string? AppLogoUrl);
