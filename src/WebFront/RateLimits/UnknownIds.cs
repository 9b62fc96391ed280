using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.RateLimits;

/// <summary>
/// Ids a caller invents (a random ticket id, an application id that does not exist) would each cost a grain activation,
/// a storage read and a fresh rate-limit bucket. This front end remembers ids the cluster answered "not found" for
/// <see cref="RateLimitOptions.UnknownIdCacheTime"/> and answers them again from memory, and counts each new unknown id
/// against the asking address (<see cref="RateLimitKeys.UnknownIdsPerClientIp"/>): an address out of permits is refused
/// before any lookup, which is decided from this front end's memory (no cluster call for addresses that ask for real ids).
/// </summary>
public sealed class UnknownIds(IOptionsMonitor<RateLimitOptions> options, RateLimitClock clock)
{
    public const string Ticket = "ticket";
    public const string Application = "application";
    public const string Pool = "pool";
    /// <summary>An identity source, by its grain key <c>{poolId}/{identifier}</c>.</summary>
    public const string Source = "identity-source";
    /// <summary>A hosted login (<c>/oidc/{pool}/login/{requestId}</c>), by its request id.</summary>
    public const string AuthorizationRequest = "authorization-request";
    /// <summary>How many ids are remembered at most; past it the expired go first, then all (a flood of fresh ids).</summary>
    internal int MaxRemembered { get; init; } = 100_000;

    private readonly ConcurrentDictionary<(string Kind, string Id), DateTimeOffset> _unknown = new();

    /// <summary>Ids remembered as unknown (tests, metrics).</summary>
    public int Count => _unknown.Count;

    /// <summary>Whether the cluster said, lately, that nothing has this id.</summary>
    public bool IsKnownUnknown(string kind, string id) =>
        options.CurrentValue.Enabled && _unknown.TryGetValue((kind, id), out var until) && until > clock.Now;

    /// <summary>Remembers an id the cluster answered "not found" for, and takes a permit of the asking address.</summary>
    public async ValueTask RememberAsync(HttpContext http, string kind, string id)
    {
        var settings = options.CurrentValue;
        if (!settings.Enabled) return;
        var now = clock.Now;
        if (_unknown.Count >= MaxRemembered)
        {
            foreach (var (key, until) in _unknown)
                if (until <= now) _unknown.TryRemove(new(key, until));
            if (_unknown.Count >= MaxRemembered) _unknown.Clear();
        }
        _unknown[(kind, id)] = now + settings.UnknownIdCacheTime;
        await AbuseLimits.Limiter(http).TakeAsync(RateLimitKeys.UnknownIdsPerClientIp, null, AbuseLimits.ClientKey(http));
    }

    /// <summary>
    /// The application <paramref name="appId"/>, or null when none has that id: an id this front end lately heard of as
    /// unknown costs no cluster call, and a newly unknown one is remembered and spends a permit of the asking address.
    /// Every anonymous lookup of an application by an id the caller chose goes through here.
    /// </summary>
    public async ValueTask<ApplicationSettings?> ApplicationAsync(HttpContext http, IGrainFactory grains, string appId)
    {
        if (IsKnownUnknown(Application, appId)) return null;
        var app = await grains.GetGrain<IApplicationGrain>(appId).GetAsync();
        if (app is null) await RememberAsync(http, Application, appId);
        return app;
    }

    /// <summary>The user pool <paramref name="poolId"/>'s settings, or null when there is no such pool; as <see cref="ApplicationAsync"/>.</summary>
    public async ValueTask<UserPoolSettings?> PoolAsync(HttpContext http, IGrainFactory grains, string poolId)
    {
        if (IsKnownUnknown(Pool, poolId)) return null;
        var pool = await grains.GetGrain<IUserPoolGrain>(poolId).GetSettingsAsync();
        if (pool is null) await RememberAsync(http, Pool, poolId);
        return pool;
    }

    /// <summary>
    /// The hosted login <paramref name="requestId"/> for the browser holding <paramref name="browserSecret"/>, as
    /// <see cref="ApplicationAsync"/>: a login the cluster lately said does not exist (timed out or never started) is
    /// answered from memory, and a newly missing one is remembered and spends a permit of the asking address.
    /// </summary>
    public async ValueTask<Outcome<AuthorizationView>> AuthorizationAsync(HttpContext http, IGrainFactory grains, string requestId, string browserSecret)
    {
        if (IsKnownUnknown(AuthorizationRequest, requestId))
            return new Failure(AuthorizationFailures.RequestNotFound, "This login has timed out or does not exist.");
        var outcome = await grains.GetGrain<IAuthorizationGrain>(requestId).GetAsync(browserSecret);
        await RememberIfMissingAsync(http, outcome.Failure, AuthorizationRequest, requestId);
        return outcome;
    }

    /// <summary>
    /// Remembers the id a cluster answer named as missing (<c>ticket_not_found</c>, <c>application_not_found</c>,
    /// <c>user_pool_not_found</c>), for handlers whose grain call checks the id itself (no extra call for real ids).
    /// </summary>
    public ValueTask RememberIfMissingAsync(HttpContext http, Failure? failure, string kind, string id) =>
        failure?.Code == CodeOf(kind) ? RememberAsync(http, kind, id) : ValueTask.CompletedTask;

    private static string CodeOf(string kind) => kind switch
    {
        Ticket => FailureCodes.TicketNotFound,
        Pool => FailureCodes.UserPoolNotFound,
        Source => FailureCodes.IdentitySourceNotFound,
        AuthorizationRequest => AuthorizationFailures.RequestNotFound,
        _ => FailureCodes.ApplicationNotFound,
    };

    /// <summary>The refusal of an address that asked for too many unknown ids, from this front end's memory only.</summary>
    public static LimitRefusal? RefusalOf(HttpContext http) =>
        AbuseLimits.Limiter(http).Remembered(RateLimitKeys.UnknownIdsPerClientIp, null, AbuseLimits.ClientKey(http)) is { } refused
            ? new LimitRefusal(AbuseLimits.RateLimited, "Too many requests for ids that do not exist from this address.", refused) : null;

    /// <summary>The answer the cluster gave for an unknown id, given again.</summary>
    public static ProblemHttpResult NotFound(string kind, string id) => kind switch
    {
        Ticket => ApiProblems.From(new Failure(FailureCodes.TicketNotFound, $"Ticket {id} does not exist.")),
        Pool => ApiProblems.Problem(StatusCodes.Status404NotFound, FailureCodes.UserPoolNotFound, "No such user pool."),
        Source => ApiProblems.From(new Failure(FailureCodes.IdentitySourceNotFound, $"Identity source {id[(id.IndexOf('/') + 1)..]} does not exist.")),
        _ => ApiProblems.From(new Failure(FailureCodes.ApplicationNotFound, $"Application {id} does not exist.")),
    };

    /// <summary>Whether an endpoint's answer says the id it named does not exist.</summary>
    public static bool SaysNotFound(object? result, string kind) =>
        (result is INestedHttpResult nested ? nested.Result : result) is ProblemHttpResult { StatusCode: StatusCodes.Status404NotFound } problem
        && problem.ProblemDetails.Extensions.TryGetValue("code", out var code)
        && (code as string) == CodeOf(kind);
}

/// <summary>The unknown-id checks as endpoint filters, for APIs whose routes name the id.</summary>
public static class UnknownIdFilters
{
    /// <summary>
    /// Pool ids for every endpoint of <paramref name="group"/>, whose route names one (<c>{poolId}</c>): a pool the cluster
    /// lately did not know is answered 404 from memory, new unknown pools count against the address.
    /// </summary>
    public static RouteGroupBuilder WithUnknownPoolIds(this RouteGroupBuilder group) => group.WithUnknownIds(UnknownIds.Pool, "poolId");

    /// <summary>
    /// Ticket ids for every endpoint of <paramref name="builder"/> whose route names one (<c>{ticketId}</c>) and which
    /// answers a missing ticket with the JSON problem <c>ticket_not_found</c> (QR pictures, the open-in-WeChat link).
    /// </summary>
    public static TBuilder WithUnknownTicketIds<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithUnknownIds(UnknownIds.Ticket, "ticketId");

    private static TBuilder WithUnknownIds<TBuilder>(this TBuilder builder, string kind, string routeValue) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.RouteValues[routeValue] is not string id) return await next(context);
            var unknown = http.RequestServices.GetRequiredService<UnknownIds>();
            if (UnknownIds.RefusalOf(http) is { } refused) return refused.ToProblem(http);
            if (unknown.IsKnownUnknown(kind, id)) return UnknownIds.NotFound(kind, id);
            var result = await next(context);
            if (UnknownIds.SaysNotFound(result, kind)) await unknown.RememberAsync(http, kind, id);
            return result;
        });
        return builder;
    }
}
