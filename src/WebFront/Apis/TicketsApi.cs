using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Hosting;
using ScanLogin.WebFront.Push;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Apis;

/// <summary>The PC side: create a ticket, wait for it (read, long-poll, SSE), exchange it.</summary>
public static class TicketsApi
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapTicketsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tickets").WithTags("Tickets").RequireCors(BrowserCors.PolicyName);
        api.MapPost("/", CreateTicketAsync).WithName("CreateTicket").WithRateLimit(AbuseLimit.TicketCreation)
            .WithSummary("Create a QR ticket for an application and identity source")
            .WithDescription("From a browser page on one of the application's allowed origins, or from the application's backend " +
                             "(no Origin) with `Authorization: Basic base64(appId:appSecret)`.");
        api.MapGet("/{ticketId}", GetTicketAsync).WithName("GetTicket").WithRateLimit(AbuseLimit.StatusRead)
            .WithSummary("Read a ticket's status (for clients that only poll)");
        api.MapGet("/{ticketId}/wait", WaitForTicketAsync).WithName("WaitForTicket").WithRateLimit(AbuseLimit.StatusRead)
            .WithSummary("Long-poll: answers as soon as the version passes `version`, or unchanged after `timeout` seconds (at most 60)");
        api.MapGet("/{ticketId}/events", StreamTicketAsync).WithName("StreamTicket").WithRateLimit(AbuseLimit.StatusRead)
            .WithSummary("Server-sent events: one `status` event per change until a terminal state; `ping` every 15 s")
            .Produces<TicketView>(contentType: "text/event-stream");
        api.MapPost("/exchange", ExchangeAsync).WithName("ExchangeTicket")
            .WithSummary("Trade a confirmed ticket's one-time code for the user, an ID token and an access token")
            .WithDescription("Prove the right to exchange with the application's credentials as `Authorization: Basic base64(appId:appSecret)`, " +
                             "or, where the pool allows browser exchange (off by default), the creating browser's `X-Browser-Secret`. Send an `Idempotency-Key` to make a retry " +
                             "return the same answer; any other second exchange is refused.");
        return app;
    }

    private static async Task<Results<Created<TicketCreated>, ProblemHttpResult>> CreateTicketAsync(
        CreateTicketRequest request, HttpContext http, BrowserOrigins cors)
    {
        if (request.AppId is not { Length: > 0 and <= 64 } appId || !Identifiers.IsAppId(appId))
            return ApiProblems.Invalid("appId", "Required: an application id, 1 to 64 letters, digits, '-' or '_'.");
        if (request.IdentitySource is not { Length: > 0 and < 32 } identitySource || !Identifiers.IsIdentifier(identitySource))
            return ApiProblems.Invalid("identitySource", "Required: an identifier, fewer than 32 lowercase letters, digits or '-'.");
        if (request.Nonce is { } nonce && (nonce.Length is 0 or > 256 || nonce.Any(c => c is < '!' or > '~')))
            return ApiProblems.Invalid("nonce", "1 to 256 printable ASCII characters, no spaces.");
        // The desk applies the access policy (a server must prove it is the application); a server that sent no credentials
        // at all is told which header to send before anything is asked.
        var app = BasicCredentials.ApplicationOf(http.Request);
        if (RequestOrigins.IsServer(RequestText.Truncate(http.Request.Headers.Origin.ToString(), 256), hostedLogin: false) && app is null)
        {
            cors.AllowFor(http, allowed: null);
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "credentials_required",
                "A ticket requested without a browser Origin needs the application's credentials: Authorization: Basic base64(appId:appSecret).");
        }

        var browserSecret = Secrets.NewSecret();
        var opened = await TicketOpener.OpenAsync(appId, identitySource, Secrets.HashBrowserSecret(browserSecret), app, http, request.Nonce);
        cors.AllowForCreation(http, opened);
        if (opened.Value?.Ticket is not { } ticket) return ApiProblems.From(opened.Failure!);
        var ticketId = ticket.TicketId;
        return TypedResults.Created($"/api/tickets/{ticketId}", new TicketCreated(ticketId, browserSecret, ticketId,
            $"/api/tickets/{ticketId}/qr.png", TicketView.From(ticket)));
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> GetTicketAsync(string ticketId, HttpContext http, TicketFeed feed,
        BrowserOrigins cors)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        // From this front end's pushed state while its watch is live, else one watch call (FeedOptions.ReadFreshness).
        var outcome = await feed.ReadAsync(ticketId);
        if (outcome.Value is not { } s) return ApiProblems.From(outcome.Failure!);
        cors.AllowFor(http, s.AllowedOrigins);
        return TypedResults.Ok(TicketView.From(s));
    }

    /// <summary>A long-poll's query: answer once the ticket passes <c>version</c>, or unchanged after <c>timeout</c> seconds.</summary>
    public sealed record TicketWaitQuery([property: FromQuery(Name = "version")] int Version = 0, [property: FromQuery(Name = "timeout")] double? Timeout = null);

    /// <summary>What a waiting browser's request uses on this front end: the feed, the CORS answer, the open-wait slots.</summary>
    public sealed record TicketPush(TicketFeed Feed, BrowserOrigins Cors, OpenWaits Waits);

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> WaitForTicketAsync(
        string ticketId, [AsParameters] TicketWaitQuery query, [AsParameters] TicketPush push, HttpContext http, CancellationToken ct)
    {
        var ((version, timeout), (feed, cors, waits)) = (query, push);
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        if (version < 0) return ApiProblems.Invalid("version", "Must be zero or more.");
        // Written so that NaN fails too: every comparison with NaN is false.
        if (timeout is { } seconds && !(seconds >= 0 && seconds <= MaxWait.TotalSeconds)) return ApiProblems.Invalid("timeout", "Seconds, from 0 to 60.");
        using var slot = waits.TryOpen(http);
        if (slot is null) return waits.Refusal(http);
        var outcome = await feed.WaitAsync(ticketId, version, timeout is { } t ? TimeSpan.FromSeconds(t) : DefaultWait, ct);
        if (outcome.Value is not { } s) return ApiProblems.From(outcome.Failure!);
        cors.AllowFor(http, s.AllowedOrigins);
        return TypedResults.Ok(TicketView.From(s));
    }

    private static async Task<Results<ServerSentEventsResult<TicketView>, ProblemHttpResult>> StreamTicketAsync(
        string ticketId, [AsParameters] TicketPush push, HttpContext http, CancellationToken ct, [FromHeader(Name = "Last-Event-ID")] int? lastEventId = null)
    {
        var (feed, cors, waits) = push;
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        // The stream's slot is held until the stream ends (released by the stream, or here if it never starts).
        var slot = waits.TryOpen(http);
        if (slot is null) return waits.Refusal(http);
        try
        {
            // Answer 404 before the stream starts, while a status code can still be sent.
            var first = await feed.WaitAsync(ticketId, -1, TimeSpan.Zero, ct);
            if (first.Value is not { } current) { slot.Dispose(); return ApiProblems.From(first.Failure!); }
            cors.AllowFor(http, current.AllowedOrigins);
            http.Response.RegisterForDispose(slot);
            return TypedResults.ServerSentEvents(StreamAsync(feed, current, lastEventId ?? 0, slot, ct));
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    private static async IAsyncEnumerable<SseItem<TicketView>> StreamAsync(TicketFeed feed, TicketSnapshot current, int lastSeen, IDisposable slot,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var _ = slot;
        var sent = lastSeen;
        while (!ct.IsCancellationRequested)
        {
            if (current.Version > sent)
            {
                sent = current.Version;
                yield return new SseItem<TicketView>(TicketView.From(current), "status") { EventId = sent.ToString() };
                if (current.Status.IsTerminal()) yield break;
            }
            else
            {
                yield return new SseItem<TicketView>(TicketView.From(current), "ping");
            }
            var next = await feed.WaitAsync(current.TicketId, sent, Heartbeat, ct);
            if (next.Value is null) yield break;
            current = next.Value;
        }
    }

    private static async Task<Results<Ok<ExchangeResponse>, ProblemHttpResult>> ExchangeAsync(
        ExchangeTicketRequest request, HttpContext context, IClusterClient cluster, BrowserOrigins cors)
    {
        var http = context.Request;
        if (request.Code is not { Length: > 0 and <= 128 } code || code.Split('.') is not [var ticketId, _] || !Secrets.IsWellFormedId(ticketId))
            return ApiProblems.Invalid("code", "The exchange code from a confirmed ticket's status.");
        var browserSecret = http.Headers["X-Browser-Secret"].ToString() is { Length: > 0 } s ? s : null;
        var app = BasicCredentials.ApplicationOf(http);
        if ((browserSecret is null) == (app is null))
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "credentials_required",
                "Send exactly one of X-Browser-Secret or Authorization: Basic base64(appId:appSecret).");
        var idempotencyKey = http.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        if (idempotencyKey is { Length: > 128 }) return ApiProblems.Invalid("Idempotency-Key", "At most 128 characters.");

        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).ExchangeAsync(new ExchangeRequest(code, browserSecret, app, idempotencyKey));
        if (outcome.Value is not { } grant) return ApiProblems.From(outcome.Failure!);
        cors.AllowFor(context, grant.AllowedOrigins);
        return TypedResults.Ok(new ExchangeResponse(UserView.From(grant.User), grant.AccessToken, "Bearer", grant.ExpiresAt, grant.IdToken));
    }
}
