using System.Globalization;
using System.Security.Cryptography;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// The rules of a ticket that waits for its WeChat login to be bound to an account: the code the phone shows and the
/// PC types, what the PC is offered, and the hosted login's same-address rule. The moves are <see cref="TicketLifecycle"/>'s.
/// </summary>
public static class TicketBinding
{
    /// <summary>Six random digits from the CSPRNG: short enough to type, and a wrong one ends the ticket after a few tries.</summary>
    public static string NewCode() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The phone's answer carries the binding code while the ticket waits for binding (only the phone's: never pushed or read by status).</summary>
    public static TicketSnapshot WithCode(TicketSnapshot snapshot, TicketState? ticket) =>
        snapshot.Status == TicketStatus.BindingRequired && ticket is not null ? snapshot with { BindingCode = ticket.BindingCode } : snapshot;

    /// <summary>What the PC may do with a ticket waiting for binding: register only under login-and-register, and how many tries are left.</summary>
    public static BindingOffer OfferFor(TicketState ticket, int attempts)
    {
        var login = ticket.PendingLogin!;
        return new BindingOffer(ticket.ToSnapshot(), login.LoginMode == LoginMode.LoginAndRegister, login.Phone is not null, attempts - ticket.BindingFailures);
    }

    /// <summary>An application may ask that a hosted login be finished from the address that opened it.</summary>
    public static Failure? CheckSameAddress(ApplicationSettings? app, TicketState ticket, string? address)
    {
        if (app?.HostedLoginSameAddress != true || !ticket.HostedLogin) return null;
        // Compared as sent: a missing address on either side is a mismatch, never a pass.
        if (address is { Length: > 0 } && ticket.Requester.IpAddress is { Length: > 0 } opener && string.Equals(address, opener, StringComparison.Ordinal))
            return null;
        return new Failure(FailureCodes.AddressChanged, "This login was opened from another network address; the application asks to finish it from the same one.");
    }
}
