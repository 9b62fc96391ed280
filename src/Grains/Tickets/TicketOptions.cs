namespace ScanLogin.Grains.Tickets;

/// <summary>Ticket timings (section "ScanLogin:Tickets"). The confirm window is per identity source.</summary>
public sealed class TicketOptions
{
    public const string Section = "ScanLogin:Tickets";

    /// <summary>How long a confirmed ticket may wait for its exchange.</summary>
    public TimeSpan ExchangeWindow { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Ask-binding: how long the PC side has to sign in to (or create) the account to bind, once the phone approved.</summary>
    public TimeSpan BindingWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Ask-binding: wrong passwords one ticket may try before it is rejected.</summary>
    public int BindingAttempts { get; set; } = 5;

    /// <summary>How long a finished ticket keeps answering (late pollers, retried exchanges) before it is erased.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a front end's watch stays registered without being renewed.</summary>
    public TimeSpan WatchLifetime { get; set; } = TimeSpan.FromMinutes(2);
}
