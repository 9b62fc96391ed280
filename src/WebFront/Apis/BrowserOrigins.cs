using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// CORS on an actual ticket-API response: the request's Origin must be one the access policy allowed for the ticket. A
/// ticket's allowed origins are fixed at its creation and travel with its status, its exchange and its pictures, so this
/// answer reads nothing: no application, no cache to go stale.
/// </summary>
public sealed class BrowserOrigins
{
    /// <summary>Adds the CORS headers when the request's Origin is one of <paramref name="allowed"/>; otherwise none.</summary>
    public void AllowFor(HttpContext http, IReadOnlyCollection<string>? allowed)
    {
        http.Response.Headers.Vary = "Origin";
        var origin = http.Request.Headers.Origin.ToString();
        if (!RequestOrigins.Allows(allowed, origin)) return;
        var headers = http.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlAllowCredentials = "true";
        headers.AccessControlExposeHeaders = "ETag, Location";
    }

    /// <summary>
    /// A creation's answer: the desk checked the request's Origin against the application's origins before anything else
    /// could refuse, so a new ticket carries them and a later refusal (credentials, source) was given to an allowed Origin.
    /// </summary>
    public void AllowForCreation(HttpContext http, Outcome<OpenedTicket> opened)
    {
        if (opened.Value is { } ticket) AllowFor(http, ticket.Ticket.AllowedOrigins);
        else if (opened.Failure!.Code is FailureCodes.ApplicationNotFound or FailureCodes.OriginNotAllowed) AllowFor(http, allowed: null);
        else AllowFor(http, [http.Request.Headers.Origin.ToString()]);
    }
}
