using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Observability;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// Creates tickets (one per silo, behind <see cref="TicketDeskGrain"/>). The application, origin, credentials and identity
/// source are checked once, from this silo's <see cref="CreationSettings"/>; the new ticket is written with the store's
/// compare-and-set (a taken id is refused, nothing is read) and no ticket grain is activated. The ticket's grain loads it
/// from the store at its first need; until then the store's own expiry (deadline + retention) is all a pending ticket costs.
/// </summary>
public sealed class TicketDesk(ITicketStore store, CreationSettings settings, IGrainFactory grains, TicketClock clock,
    IOptions<TicketOptions> options, ILogger<TicketDesk> logger)
{
    /// <param name="ticketId">Only for tests that need a given id; otherwise the desk picks it.</param>
    public async Task<Outcome<OpenedTicket>> OpenAsync(TicketOpening opening, string? ticketId = null)
    {
        var app = await settings.ApplicationAsync(opening.AppId);
        if (app is null) return new Failure(FailureCodes.ApplicationNotFound, $"Application {opening.AppId} does not exist.");
        // A browser always says where the page came from and must be on one of the application's origins. A caller
        // without an Origin is a server: only the application's own backend (its secret) may create its tickets.
        if (opening.Requester.Origin is { Length: > 0 } origin && !app.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
            return new Failure(FailureCodes.OriginNotAllowed, $"Origin {origin} is not allowed for application {app.AppId}.");
        var fromServer = opening.Requester.Origin is not { Length: > 0 } && !opening.HostedLogin;
        if ((fromServer || opening.App is not null) && !await IsTheApplicationAsync(app, opening.App))
            return new Failure(FailureCodes.AppCredentialsInvalid, "A ticket requested without a browser Origin needs the application's valid credentials.");
        var sourceKey = IdentitySourceSettings.KeyOf(app.PoolId, opening.IdentitySource);
        var source = await settings.IdentitySourceAsync(sourceKey);
        if (IdentitySourceUsability.Check(source, opening.IdentitySource, app.AppId) is { } refused) return refused;

        // A privately deployed source's code shows the ticket id as its scene: take an id whose code is already made.
        ticketId ??= source!.PrivateDeployment ? await grains.GetGrain<IMiniProgramCodePoolGrain>(sourceKey).TakeAsync() : Secrets.NewId();
        var ticket = TicketLifecycle.Open(ticketId, opening, app.PoolId, app.Name, source!.DisplayName, source.TicketLifetime, clock.Now);
        if (!await store.WriteAsync(ticket, 0, ticket.ConfirmBy + options.Value.Retention))
            return new Failure(FailureCodes.TicketExists, "A ticket with this id already exists.");
        TicketMetrics.Moved(ticket.Status);
        TicketLog.Moved(logger, ticket);
        return new OpenedTicket(ticket.ToSnapshot(), source.TicketLifetime);
    }

    private async Task<bool> IsTheApplicationAsync(ApplicationSettings app, AppCredentials? credentials) =>
        credentials is not null && credentials.AppId == app.AppId && await grains.GetGrain<IApplicationGrain>(app.AppId).VerifySecretAsync(credentials.AppSecret);
}

/// <summary>
/// The cluster's entry to <see cref="TicketDesk"/>: a stateless worker, so it runs in the silo the call arrives at. Reentrant:
/// it holds no state, and a worker that waited for each creation's Redis write before taking the next would cap a silo
/// at one creation in flight per core.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class TicketDeskGrain(TicketDesk desk) : Grain, ITicketDeskGrain
{
    Task<Outcome<OpenedTicket>> ITicketDeskGrain.OpenAsync(TicketOpening opening) => desk.OpenAsync(opening);

    // Side by side: the store's writes of one batch travel to Redis together.
    Task<Outcome<OpenedTicket>[]> ITicketDeskGrain.OpenManyAsync(TicketOpening[] openings) => Task.WhenAll(openings.Select(o => desk.OpenAsync(o)));
}
