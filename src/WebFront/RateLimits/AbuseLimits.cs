using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.RateLimits;

/// <summary>
/// Hooks the shared limiter grains (<see cref="IRateLimitGrain"/>, through this front end's <see cref="LeasedLimiter"/>) into
/// the public APIs. The buckets live in the cluster, so every front end sees the same count; the rules live on the silos
/// (ScanLogin:RateLimits). The native ticket and phone endpoints declare their limit (<see cref="EndpointRateLimits.WithRateLimit"/>),
/// which the group's filter counts (<see cref="WithAbuseLimits"/>); the other APIs call the checks below where they know what
/// to count, and answer a refusal in their own protocol's shape.
/// </summary>
public static class AbuseLimits
{
    public const string RateLimited = "rate_limited";
    public const string SlowDown = "slow_down";

    /// <summary>Counts each endpoint mapped in <paramref name="group"/> against the limit it declares (none: not counted here).</summary>
    public static RouteGroupBuilder WithAbuseLimits(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(LimitAsync);
        return group;
    }

    private static async ValueTask<object?> LimitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var limit = EndpointRateLimit.Of(http);
        // Ids a caller may invent: an id the cluster lately did not know is answered from memory (no grain, no fresh bucket),
        // and an address that asked for too many of them is refused before any lookup.
        var (kind, id) = limit switch
        {
            AbuseLimit.TicketCreation => (UnknownIds.Application, context.Arguments.OfType<CreateTicketRequest>().FirstOrDefault()?.AppId),
            AbuseLimit.StatusRead or AbuseLimit.PhoneAttempt => (UnknownIds.Ticket, http.Request.RouteValues["ticketId"] as string),
            _ => (null, null),
        };
        var unknown = kind is not null && id is not null ? http.RequestServices.GetRequiredService<UnknownIds>() : null;
        if (unknown is not null)
        {
            if (UnknownIds.RefusalOf(http) is { } tooManyUnknown) return tooManyUnknown.ToProblem(http);
            if (unknown.IsKnownUnknown(kind!, id!)) return UnknownIds.NotFound(kind!, id!);
        }
        var refusal = limit switch
        {
            // Malformed requests are the handler's to refuse; only a plausible application id names a bucket.
            AbuseLimit.TicketCreation => id is { } appId ? await TicketCreationAsync(http, appId) : null,
            AbuseLimit.StatusRead => id is { } ticketId ? await StatusReadAsync(http, ticketId) : null,
            AbuseLimit.PhoneAttempt => await PhoneAttemptAsync(http),
            _ => null,
        };
        if (refusal is not null) return refusal.ToProblem(http);
        var result = await next(context);
        if (unknown is not null && UnknownIds.SaysNotFound(result, kind!)) await unknown.RememberAsync(http, kind!, id!);
        return result;
    }

    /// <summary>A ticket about to be created for <paramref name="appId"/> (any API): per client address and per application.</summary>
    public static async ValueTask<LimitRefusal?> TicketCreationAsync(HttpContext http, string appId)
    {
        if (!IsPlausibleAppId(appId)) return null;
        var perIp = Limiter(http).TakeAsync(RateLimitKeys.TicketsPerClientIp, appId, ClientKey(http)).AsTask();
        var perApp = Limiter(http).TakeAsync(RateLimitKeys.TicketsPerApplication, appId, appId).AsTask();
        if (await perIp is { Allowed: false } ip) return new(RateLimited, "Too many tickets from this address for this application.", ip);
        if (await perApp is { Allowed: false } app) return new(RateLimited, "This application creates too many tickets; try again shortly.", app);
        return null;
    }

    /// <summary>A poller faster than allowed hears RFC 8628's slow_down with the pace to keep; it is never locked out.</summary>
    public static async ValueTask<LimitRefusal?> StatusReadAsync(HttpContext http, string ticketId)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return null;
        var decision = await Limiter(http).TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticketId);
        if (decision.Allowed) return null;
        var interval = Seconds(decision.Interval);
        return new(SlowDown, $"Polling too fast: ask at most once every {interval} s.", decision, interval);
    }

    /// <summary>A mini-program request (scan, confirm, cancel) from this address.</summary>
    public static async ValueTask<LimitRefusal?> PhoneAttemptAsync(HttpContext http) =>
        await Limiter(http).TakeAsync(RateLimitKeys.PhoneAttemptsPerClientIp, null, ClientKey(http)) is { Allowed: false } d
            ? new(RateLimited, "Too many mini-program requests from this address.", d) : null;

    /// <summary>A QR picture of a ticket asked from this address (any application: the ticket is not read before this).</summary>
    public static async ValueTask<LimitRefusal?> QrImageAsync(HttpContext http) =>
        await Limiter(http).TakeAsync(RateLimitKeys.QrImagesPerClientIp, null, ClientKey(http)) is { Allowed: false } d
            ? new(RateLimited, "Too many QR images from this address.", d) : null;

    /// <summary>A binding attempt (a password or a new account) from this address, for a ticket of <paramref name="appId"/>.</summary>
    public static async ValueTask<LimitRefusal?> BindingAttemptAsync(HttpContext http, string appId) =>
        await Limiter(http).TakeAsync(RateLimitKeys.BindingAttemptsPerClientIp, appId, ClientKey(http)) is { Allowed: false } d
            ? new(RateLimited, "Too many binding attempts from this address.", d) : null;

    /// <summary>A token request from this address for client <paramref name="appId"/>.</summary>
    public static async ValueTask<LimitRefusal?> TokenRequestAsync(HttpContext http, string appId) =>
        IsPlausibleAppId(appId) && await Limiter(http).TakeAsync(RateLimitKeys.TokenRequestsPerClientIp, appId, ClientKey(http)) is { Allowed: false } d
            ? new(RateLimited, "Too many token requests from this address for this client.", d) : null;

    /// <summary>Whether <paramref name="appId"/> could name an application: only such an id names a bucket.</summary>
    internal static bool IsPlausibleAppId(string appId) => appId is { Length: > 0 and <= 64 } && !appId.Any(char.IsControl);

    internal static LeasedLimiter Limiter(HttpContext http) => http.RequestServices.GetRequiredService<LeasedLimiter>();

    internal static ProblemHttpResult TooMany(HttpContext http, RateDecision decision, string detail) =>
        new LimitRefusal(RateLimited, detail, decision).ToProblem(http);

    /// <summary>The endpoint a refusal is counted under: its name, else its route.</summary>
    internal static string? EndpointLabel(HttpContext http) =>
        http.GetEndpoint() is { } e ? e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? (e as RouteEndpoint)?.RoutePattern.RawText : null;

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

/// <summary>
/// A request refused by an abuse limit: <see cref="Code"/> is <c>rate_limited</c> or <c>slow_down</c> (then with the
/// <see cref="Interval"/> to poll at). Each API renders it in its own shape, always as 429 with Retry-After.
/// </summary>
public sealed record LimitRefusal(string Code, string Detail, RateDecision Decision, int? Interval = null)
{
    public int RetryAfterSeconds => AbuseLimits.Seconds(Decision.RetryAfter);

    public string Message => Interval is null ? $"{Detail} Retry after {RetryAfterSeconds} s." : Detail;

    /// <summary>Sets Retry-After and counts the refusal; every rendering goes through here.</summary>
    public void Apply(HttpContext http)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        FrontEndMetrics.RateLimited(Code, AbuseLimits.EndpointLabel(http));
    }

    /// <summary>The JSON problem shape: <c>code</c>, <c>retryAfter</c> (seconds) and, for slow_down, <c>interval</c>.</summary>
    public ProblemHttpResult ToProblem(HttpContext http, IReadOnlyDictionary<string, object?>? extra = null)
    {
        Apply(http);
        var problem = ApiProblems.Problem(StatusCodes.Status429TooManyRequests, Code, Message);
        if (Interval is { } interval) problem.ProblemDetails.Extensions["interval"] = interval;
        problem.ProblemDetails.Extensions["retryAfter"] = RetryAfterSeconds;
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>()) problem.ProblemDetails.Extensions[key] = value;
        return problem;
    }
}

/// <summary>Registration: the limiter, and Retry-After on every problem that says when to come back.</summary>
public static class AbuseLimitServices
{
    public static IServiceCollection AddAbuseLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        services.TryAddSingleton(sp => new RateLimitClock(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LeasedLimiter>();
        services.AddSingleton<UnknownIds>();

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
