namespace ScanLogin.Grains.Interfaces;

/// <summary>Who holds a ticket on the PC side, proven as for an exchange: the creating browser's secret, or the application's credentials.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TicketHolder")]
public sealed record TicketHolder(
    [property: Id(0)] string? BrowserSecret,
    [property: Id(1)] AppCredentials? App,
    [property: Id(2)] bool HostedLogin = false)
{
    public override string ToString() => $"TicketHolder {{ Browser = {BrowserSecret is not null}, App = {App?.AppId} }}";
}

/// <summary>What the PC side is offered for a ticket waiting for binding.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.BindingOffer")]
public sealed record BindingOffer(
    [property: Id(0)] TicketSnapshot Ticket,
    [property: Id(1)] bool CanRegister,
    [property: Id(2)] bool PhoneShared,
    [property: Id(3)] int AttemptsLeft);
