using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// Ticket grain references for the feed's status reads and watches. <c>GetGrain&lt;ITicketGrain&gt;(id)</c> resolves the
/// interface's and the grain's type on every call (a profile of reads spread over many tickets put that at 7% of the
/// front end's CPU); here they are resolved once and each reference is made from the id alone.
/// </summary>
public sealed class TicketReferences(IGrainFactory factory)
{
    // Resolved at the first read, not at construction: the cluster's type map is known only once the client is connected.
    // Lazy, not a nullable field: concurrent first reads must never see the pair half written. PublicationOnly: a first
    // read that fails (no cluster yet) is not remembered as the answer for every later one.
    private readonly Lazy<(GrainType Grain, GrainInterfaceType Interface)> _types = new(() =>
    {
        var probe = (GrainReference)factory.GetGrain<ITicketGrain>("-");
        return (probe.GetGrainId().Type, probe.InterfaceType);
    }, LazyThreadSafetyMode.PublicationOnly);

    /// <summary>The grain of the ticket <paramref name="ticketId"/>, the same reference <c>GetGrain&lt;ITicketGrain&gt;</c> makes.</summary>
    public ITicketGrain Of(string ticketId)
    {
        var (grain, @interface) = _types.Value;
        return (ITicketGrain)factory.GetGrain(GrainId.Create(grain, ticketId), @interface);
    }
}
