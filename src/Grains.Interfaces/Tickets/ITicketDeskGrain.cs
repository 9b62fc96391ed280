namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// Where every ticket is created: picks its id (random, or a ready code of a privately deployed source), checks the
/// application, origin, credentials and identity source once, and stores the new ticket. No ticket grain is
/// activated: the ticket's grain loads it from the store at its first need (a status read, a watch, a phone action).
/// A stateless worker: it runs in the silo that takes the call, with that silo's cache of application and source settings.
/// </summary>
[Alias("ScanLogin.ITicketDeskGrain")]
public interface ITicketDeskGrain : IGrainWithIntegerKey
{
    /// <summary>Checks the application, origin or credentials and the identity source, then stores a new ticket and answers it.</summary>
    [Alias("Open")]
    Task<Outcome<OpenedTicket>> OpenAsync(TicketOpening opening);

    /// <summary>Several openings in one call (a busy front end's queue); the answers in the same order.</summary>
    [Alias("OpenMany")]
    Task<Outcome<OpenedTicket>[]> OpenManyAsync(TicketOpening[] openings);
}

/// <summary>A new ticket, and the lifetime its identity source gave it (the clocks of silo and front end need not agree).</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.OpenedTicket")]
public sealed record OpenedTicket(
    [property: Id(0)] TicketSnapshot Ticket,
    [property: Id(1)] TimeSpan Lifetime);
