using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// Opens a ticket for whoever sent this request (its IP, user agent and Origin go to the ticket; a server without an
/// Origin shows the application's credentials). The silo's ticket desk picks the id and applies the same rules to
/// every API that creates tickets (the ticket API, Authing's QR API, the hosted login).
/// </summary>
public static class TicketOpener
{
    internal static Task<Outcome<OpenedTicket>> OpenAsync(string appId, string identitySource, string browserSecretHash,
        AppCredentials? app, HttpContext http, string? nonce = null)
    {
        var origin = RequestText.Truncate(http.Request.Headers.Origin.ToString(), 256);
        return OpenAsync(http, new TicketOpening(appId, identitySource, RequesterOf(http, origin), browserSecretHash, app, nonce));
    }

    internal static Task<Outcome<OpenedTicket>> OpenAsync(HttpContext http, TicketOpening opening) =>
        http.RequestServices.GetRequiredService<TicketDeskClient>().OpenAsync(opening);

    /// <summary>Who asks, as the phone is shown it: the caller's address, user agent and (for a page) its Origin.</summary>
    internal static Requester RequesterOf(HttpContext http, string? origin) =>
        new(http.Connection.RemoteIpAddress?.ToString(), RequestText.Truncate(http.Request.Headers.UserAgent.ToString(), 512), origin);
}
