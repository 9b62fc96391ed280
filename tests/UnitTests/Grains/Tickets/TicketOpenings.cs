using ScanLogin.Grains.Interfaces;

namespace ScanLogin.UnitTests;

public static class TicketOpenings
{
    /// <summary>
    /// Opens a ticket under this grain's id through the silo's ticket desk, as the desk's own grain does with an id it
    /// picks. The ticket grain itself has no opening call: it loads the stored ticket at its first need.
    /// </summary>
    public static async Task<Outcome<TicketSnapshot>> OpenAsync(this ITicketGrain ticket, TicketOpening opening)
    {
        var opened = await GrainClusterFixture.Desk.OpenAsync(opening, ticket.GetPrimaryKeyString());
        return opened.Value is { } created ? created.Ticket : opened.Failure!;
    }
}
