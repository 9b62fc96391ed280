using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// Ticket grain references for the feed's status reads and watches. <c>GetGrain&lt;ITicketGrain&gt;(id)</c> resolves the
/// interface's and the grain's type on every call (a profile of reads spread over many tickets put that at 7% of the
/// front end's CPU); here they are resolved once and each reference is made from the id alone.
/// </summary>
public sealed class TicketReferences(IGrainFactory factory)
{
    private (GrainType Grain, GrainInterfaceType Interface)? _types;

    /// <summary>The grain of the ticket <paramref name="ticketId"/>, the same reference <c>GetGrain&lt;ITicketGrain&gt;</c> makes.</summary>
    public ITicketGrain Of(string ticketId)
    {
        var (grain, @interface) = _types ??= Resolve();
        return (ITicketGrain)factory.GetGrain(GrainId.Create(grain, ticketId), @interface);
    }

    private (GrainType, GrainInterfaceType) Resolve()
    {
        var probe = (GrainReference)factory.GetGrain<ITicketGrain>("-");
        return (probe.GetGrainId().Type, probe.InterfaceType);
    }
}
