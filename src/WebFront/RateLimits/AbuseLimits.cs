using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.RateLimits;

/// <summary>
/// Hooks the shared limiter grains (<see cref="IRateLimitGrain"/>) into the public API. The buckets live in the
/// cluster, so every front end sees the same count; the rules live on the silos (ScanLogin:RateLimits).
/// Which limit applies is picked by the endpoint's name, so the APIs themselves stay unaware of it.
/// </summary>
public static class AbuseLimits
{
    public const string RateLimited = "rate_limited";
    public const string SlowDown = "slow_down";

    /// <summary>Adds the limits to every endpoint mapped in <paramref name="group"/>.</summary>
    public static RouteGroupBuilder WithAbuseLimits(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(LimitAsync);
        return group;
    }

    private static async ValueTask<object?> LimitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var refusal = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName switch
        {
            "CreateTicket" => await TicketCreationAsync(context),
            "GetTicket" or "WaitForTicket" or "StreamTicket" => await StatusReadAsync(http),
            "ScanTicket" or "ConfirmTicket" or "CancelTicket" => await TakeAsync(http, RateLimitKeys.PhoneAttemptsPerClientIp, null, ClientKey(http)) is { Allowed: false } d
                ? TooMany(http, d, "Too many mini-program requests from this address.") : null,
            _ => null,
        };
        return refusal ?? await next(context);
    }

    private static async Task<ProblemHttpResult?> TicketCreationAsync(EndpointFilterInvocationContext context)
    {
        // Malformed requests are the handler's to refuse; only a plausible application id names a bucket.
        if (context.Arguments.OfType<CreateTicketRequest>().FirstOrDefault()?.AppId is not { Length: > 0 and <= 64 } appId
            || appId.Any(char.IsControl)) return null;
        var http = context.HttpContext;
        var perIp = TakeAsync(http, RateLimitKeys.TicketsPerClientIp, appId, ClientKey(http));
        var perApp = TakeAsync(http, RateLimitKeys.TicketsPerApplication, appId, appId);
        if (await perIp is { Allowed: false } ip) return TooMany(http, ip, "Too many tickets from this address for this application.");
        if (await perApp is { Allowed: false } app) return TooMany(http, app, "This application creates too many tickets; try again shortly.");
        return null;
    }

    /// <summary>A poller faster than allowed hears RFC 8628's slow_down with the pace to keep; it is never locked out.</summary>
    private static async Task<ProblemHttpResult?> StatusReadAsync(HttpContext http)
    {
        if (http.Request.RouteValues["ticketId"] is not string ticketId || !Secrets.IsWellFormedId(ticketId)) return null;
        var decision = await TakeAsync(http, RateLimitKeys.StatusReadsPerTicket, null, ticketId);
        if (decision.Allowed) return null;
        var interval = Seconds(decision.Interval);
        return Refuse(http, SlowDown, $"Polling too fast: ask at most once every {interval} s.", decision,
            new() { ["interval"] = interval });
    }

    internal static ValueTask<RateDecision> TakeAsync(HttpContext http, string kind, string? applicationId, string subject) =>
        http.RequestServices.GetRequiredService<IClusterClient>().GetGrain<IRateLimitGrain>(RateLimitKeys.Of(kind, applicationId, subject)).TryTakeAsync();

    internal static ProblemHttpResult TooMany(HttpContext http, RateDecision decision, string detail) =>
        Refuse(http, RateLimited, $"{detail} Retry after {Seconds(decision.RetryAfter)} s.", decision, []);

    private static ProblemHttpResult Refuse(HttpContext http, string code, string detail, RateDecision decision, Dictionary<string, object?> extra)
    {
        http.Response.Headers.RetryAfter = Seconds(decision.RetryAfter).ToString();
        FrontEndMetrics.RateLimited(code, http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName);
        var problem = ApiProblems.Problem(StatusCodes.Status429TooManyRequests, code, detail);
        foreach (var (key, value) in extra) problem.ProblemDetails.Extensions[key] = value;
        problem.ProblemDetails.Extensions["retryAfter"] = Seconds(decision.RetryAfter);
        return problem;
    }

    /// <summary>Whole seconds, at least one: what Retry-After and RFC 8628's interval carry.</summary>
    internal static int Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds));

    /// <summary>
    /// The address a limit counts against. IPv6 clients get a /64 each from their provider, so counting single
    /// addresses there would let one client rotate through billions of them.
    /// </summary>
    internal static string ClientKey(HttpContext http) => ClientKey(http.Connection.RemoteIpAddress);

    internal static string ClientKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}

/// <summary>Registration: Retry-After on every problem that says when to come back.</summary>
public static class AbuseLimitServices
{
    public static IServiceCollection AddAbuseLimits(this IServiceCollection services)
    {
        // Refusals decided on a silo (a WeChat user's phone attempts) arrive as a failure with retryAfter; the header follows it.
        services.PostConfigure<ProblemDetailsOptions>(o =>
        {
            var inner = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                inner?.Invoke(context);
                if (context.ProblemDetails.Extensions.TryGetValue("retryAfter", out var seconds) && seconds is int s
                    && !context.HttpContext.Response.HasStarted && context.HttpContext.Response.Headers.RetryAfter.Count == 0)
                    context.HttpContext.Response.Headers.RetryAfter = s.ToString();
            };
        });
        return services;
    }
}
