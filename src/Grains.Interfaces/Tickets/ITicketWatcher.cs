namespace ScanLogin.Grains.Interfaces;

/// <summary>One per front-end host: hears every change of the tickets it watches.</summary>
[Alias("ScanLogin.ITicketWatcher")]
public interface ITicketWatcher : IGrainObserver
{
    /// <summary>The ticket's new state, sent after each stored change to every front end watching it.</summary>
    [OneWay, Alias("OnTicketChanged")]
    Task OnTicketChangedAsync(TicketSnapshot snapshot);
}
