namespace ScanLogin.Grains.Interfaces;

/// <summary>Where a QR ticket is in its life. Numbers are stable: they are persisted and sent to clients.</summary>
[GenerateSerializer]
public enum TicketStatus
{
    Pending = 0,
    Scanned = 1,
    Confirmed = 2,
    Cancelled = 3,
    Rejected = 4,
    Expired = 5,
    Consumed = 6,
    /// <summary>Ask-binding: the phone approved, the PC side must now sign in to (or create) the account to bind. Live, with its own deadline.</summary>
    BindingRequired = 7,
}

public static class TicketStatusExtensions
{
    /// <summary>True once no further transition can happen.</summary>
    public static bool IsTerminal(this TicketStatus status) =>
        status is TicketStatus.Cancelled or TicketStatus.Rejected or TicketStatus.Expired or TicketStatus.Consumed;

    /// <summary>The lower-case name clients see.</summary>
    public static string ToWireName(this TicketStatus status) => status switch
    {
        TicketStatus.Pending => "pending",
        TicketStatus.Scanned => "scanned",
        TicketStatus.Confirmed => "confirmed",
        TicketStatus.Cancelled => "cancelled",
        TicketStatus.Rejected => "rejected",
        TicketStatus.Expired => "expired",
        TicketStatus.Consumed => "consumed",
        TicketStatus.BindingRequired => "binding_required",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
