using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Access;
using ScanLogin.Grains.Configuration;
using ScanLogin.Grains.Observability;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// Creates tickets (one per silo, behind <see cref="TicketDeskGrain"/>). The application, origin, credentials and identity
/// source are checked once, by the <see cref="AccessPolicy"/> from this silo's <see cref="SettingsCache"/>; the new ticket is written with the store's
/// compare-and-set (a taken id is refused, nothing is read) and no ticket grain is activated. The ticket's grain loads it
/// from the store at its first need; until then the store's own expiry (deadline + retention) is all a pending ticket costs.
/// </summary>
public sealed class TicketDesk(ITicketStore store, SettingsCache settings, IGrainFactory grains, ProductClock clock,
    IOptions<TicketOptions> options, IOptions<WeChatPlatformOptions> platform, ILogger<TicketDesk> logger)
{
    /// <param name="ticketId">Only for tests that need a given id; otherwise the desk picks it.</param>
    public async Task<Outcome<OpenedTicket>> OpenAsync(TicketOpening opening, string? ticketId = null) =>
        (await OpenAsync([opening], ticketId))[0];

    /// <summary>
    /// Several openings (a busy front end's queue), answered in order: each is checked on its own, then every new ticket
    /// of the call is written in one trip to the store, as a hand-written back end would pipeline them.
    /// </summary>
    public Task<Outcome<OpenedTicket>[]> OpenManyAsync(TicketOpening[] openings) => OpenAsync(openings, null);

    private async Task<Outcome<OpenedTicket>[]> OpenAsync(TicketOpening[] openings, string? ticketId)
    {
        var prepared = await Task.WhenAll(openings.Select(o => PrepareAsync(o, ticketId)));
        var fresh = prepared.Where(p => p.Ticket is not null).Select(p => (p.Ticket!, p.Ticket!.ConfirmBy + options.Value.Retention)).ToArray();
        var written = fresh.Length == 0 ? [] : await store.CreateAsync(fresh);
        var answers = new Outcome<OpenedTicket>[openings.Length];
        for (int i = 0, w = 0; i < prepared.Length; i++)
        {
            if (prepared[i] is not { Ticket: { } ticket, Lifetime: var lifetime })
            {
                answers[i] = prepared[i].Refusal!;
                continue;
            }
            if (!written[w++])
            {
                answers[i] = new Failure(FailureCodes.TicketExists, "A ticket with this id already exists.");
                continue;
            }
            TicketMetrics.Moved(ticket.Status);
            TicketLog.Moved(logger, ticket);
            answers[i] = new OpenedTicket(ticket.ToSnapshot(), lifetime);
        }
        return answers;
    }

    /// <summary>The new ticket for <paramref name="opening"/>, or why there is none.</summary>
    private async Task<(TicketState? Ticket, TimeSpan Lifetime, Failure? Refusal)> PrepareAsync(TicketOpening opening, string? ticketId)
    {
        var app = await settings.ApplicationAsync(opening.AppId);
        if (app is null) return Refused(new Failure(FailureCodes.ApplicationNotFound, $"Application {opening.AppId} does not exist."));
        var origin = opening.Requester.Origin;
        if (AccessPolicy.CheckOrigin(app, origin) is { } foreign) return Refused(foreign);
        if (AccessPolicy.NeedsCredentials(origin, opening.HostedLogin, opening.App) && !await IsTheApplicationAsync(app, opening.App))
            return Refused(AccessPolicy.CredentialsInvalid());
        if (opening.IdentitySource.Length == 0)
        {
            // Authing's gene names no source: the policy's one meaning of "the default source", chosen only for a caller
            // the policy admitted (a refused Origin learns nothing of the application's sources).
            var chosen = await SourceChoice.ChooseAsync(settings, app.AppId, null);
            if (chosen.Value is not { } only) return Refused(chosen.Failure!);
            opening = opening with { IdentitySource = only };
        }
        var sourceKey = IdentitySourceSettings.KeyOf(app.PoolId, opening.IdentitySource);
        var source = await settings.IdentitySourceAsync(sourceKey);
        if (AccessPolicy.CheckSource(source, opening.IdentitySource, app.AppId) is { } refused) return Refused(refused);

        // A privately deployed source's code shows the ticket id as its scene: take an id whose code is already made.
        ticketId ??= source!.PrivateDeployment ? await grains.GetGrain<IMiniProgramCodePoolGrain>(sourceKey).TakeAsync() : Secrets.NewId();
        var ticket = TicketLifecycle.Open(ticketId, opening, app.PoolId, app.Name, source!.DisplayName, source.TicketLifetime, clock.Now)
            with { Terms = AccessPolicy.TermsFor(app, source, platform.Value.DefaultMiniProgramAppId) };
        return (ticket, source.TicketLifetime, null);

        static (TicketState?, TimeSpan, Failure?) Refused(Failure failure) => (null, default, failure);
    }

    private async Task<bool> IsTheApplicationAsync(ApplicationSettings app, AppCredentials? credentials) =>
        AccessPolicy.NameTheApplication(credentials, app.AppId) && await grains.GetGrain<IApplicationGrain>(app.AppId).VerifySecretAsync(credentials!.AppSecret);
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

    Task<Outcome<OpenedTicket>[]> ITicketDeskGrain.OpenManyAsync(TicketOpening[] openings) => desk.OpenManyAsync(openings);
}
