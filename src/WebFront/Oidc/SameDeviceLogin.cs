namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The hosted page on a phone: its QR code cannot be scanned by the phone showing it, so the page offers "Open in WeChat"
/// (a WeChat link to the mini program's confirm page for the ticket) and keeps following the ticket for when the user comes back.
/// </summary>
public static class SameDeviceLogin
{
    /// <summary>A phone's browser, or WeChat's own: what their user agents say about themselves.</summary>
    public static bool IsPhone(string? userAgent) =>
        userAgent is { Length: > 0 } ua && (ua.Contains("Mobile", StringComparison.Ordinal) || ua.Contains("Android", StringComparison.Ordinal)
            || ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("MicroMessenger", StringComparison.Ordinal));

    /// <summary>Where the page's script asks for the ticket's link.</summary>
    public static string LinkPath(string ticketId) => $"/api/tickets/{Uri.EscapeDataString(ticketId)}/open-in-wechat";
}
