using ScanLogin.WebFront.Apis.Authing;

namespace ScanLogin.WebFront.RateLimits;

/// <summary>
/// The abuse limits of the Authing SDK endpoints, each declared on its endpoint (<see cref="EndpointRateLimits.WithRateLimit"/>),
/// the same buckets as the native API's: <c>gene</c> creates a ticket
/// (per address and per application, the application from x-authing-app-id), <c>check</c> reads one (per ticket, with
/// slow_down), the phone's <c>scanned</c>, <c>confirm</c>, <c>cancel</c> count per address. A refusal is a real 429 with
/// Retry-After and the JSON problem shape, not the SDK's 200 envelope: a client being throttled should back off, and
/// the SDK treats any non-2xx as a failed request to retry later.
/// </summary>
public static class AuthingAbuseLimits
{
    public static RouteGroupBuilder WithAuthingAbuseLimits(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // Invented application ids and QR codes: an address that named too many is refused first, and an id the cluster
            // lately did not know names no bucket (the handler answers it from memory).
            if (UnknownIds.RefusalOf(http) is { } tooManyUnknown) return tooManyUnknown.ToProblem(http);
            var unknown = http.RequestServices.GetRequiredService<UnknownIds>();
            var refusal = EndpointRateLimit.Of(http) switch
            {
                _ when http.Request.Headers[AuthingQrApi.AppIdHeader].ToString() is { Length: > 0 } named
                    && unknown.IsKnownUnknown(UnknownIds.Application, named) => null,
                AbuseLimit.TicketCreation => http.Request.Headers[AuthingQrApi.AppIdHeader].ToString() is { Length: > 0 } appId
                    ? await AbuseLimits.TicketCreationAsync(http, appId) : null,
                AbuseLimit.StatusRead => AuthingTranslation.TicketIdOf(http.Request.Query["random"].ToString()) is { } ticketId
                    && !unknown.IsKnownUnknown(UnknownIds.Ticket, ticketId)
                    ? await AbuseLimits.StatusReadAsync(http, ticketId) : null,
                AbuseLimit.PhoneAttempt => await AbuseLimits.PhoneAttemptAsync(http),
                _ => null,
            };
            return refusal is null ? await next(context) : refusal.ToProblem(http);
        });
        return group;
    }
}
