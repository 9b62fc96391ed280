namespace ScanLogin.WebFront.RateLimits;

/// <summary>The abuse limits an endpoint can declare; its API's filter counts the request against the declared one.</summary>
public enum AbuseLimit
{
    /// <summary>A ticket is created: per client address and per application (<see cref="AbuseLimits.TicketCreationAsync"/>).</summary>
    TicketCreation,

    /// <summary>A ticket's status is read or waited on: per ticket, with slow_down (<see cref="AbuseLimits.StatusReadAsync"/>).</summary>
    StatusRead,

    /// <summary>The phone scans, confirms or cancels: per client address (<see cref="AbuseLimits.PhoneAttemptAsync"/>).</summary>
    PhoneAttempt,
}

/// <summary>Endpoint metadata: the abuse limit this endpoint counts against.</summary>
public sealed record EndpointRateLimit(AbuseLimit Limit)
{
    /// <summary>The limit the endpoint serving this request declared, if any.</summary>
    public static AbuseLimit? Of(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<EndpointRateLimit>()?.Limit;
}

public static class EndpointRateLimits
{
    /// <summary>Declares the abuse limit of this endpoint (counted by its API's filter: <see cref="AbuseLimits.WithAbuseLimits"/>,
    /// <see cref="AuthingAbuseLimits.WithAuthingAbuseLimits"/>).</summary>
    public static TBuilder WithRateLimit<TBuilder>(this TBuilder builder, AbuseLimit limit) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointRateLimit(limit));
}
