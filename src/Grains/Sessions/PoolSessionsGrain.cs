using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Sessions;

/// <summary>
/// A pool's hosted-login sessions (<see cref="IPoolSessionsGrain"/>). Each session is one expiring record stored under the
/// hash of the browser's token, so neither a Redis dump nor a log holds a usable cookie. The user is read again at every
/// use: a blocked or deleted user's session never signs in, even before an operator's end removed it.
/// </summary>
[StatelessWorker]
public sealed class PoolSessionsGrain(ISessionStore<LoginSession> sessions, ISessionStore<RefreshFamily> families, ProductClock clock)
    : Grain, IPoolSessionsGrain
{
    private const string TokenPurpose = "pool-session";

    private string PoolId => this.GetPrimaryKeyString();

    async Task<SessionOpened?> IPoolSessionsGrain.StartAsync(SessionStart start)
    {
        if (await GrainFactory.GetGrain<IUserPoolGrain>(PoolId).GetSettingsAsync() is not { SessionEnabled: true } pool) return null;
        var token = Secrets.NewSecret();
        var session = new LoginSession
        {
            PoolId = PoolId, UserId = start.UserId, AuthTime = start.AuthTime, IdentitySource = start.IdentitySource,
            AuthenticationMethods = start.AuthenticationMethods, ExpiresAt = start.AuthTime + pool.SessionLifetime, Version = 1,
        };
        if (session.ExpiresAt <= clock.Now) return null;
        var id = IdOf(token);
        if (!await sessions.WriteAsync(id, session, 0, session.ExpiresAt)) return null;
        await sessions.IndexAsync(PoolId, start.UserId, id, session.ExpiresAt);
        return new SessionOpened(token, session.ExpiresAt);
    }

    async Task<SessionDecision> IPoolSessionsGrain.DecideAsync(SessionQuery query)
    {
        var session = query.SessionToken is { } token && !query.PromptLogin ? await FindAsync(token) : null;
        var user = session is null ? null : await GrainFactory.GetGrain<IUserPoolGrain>(PoolId).GetUserRecordAsync(session.UserId);
        // A pool that turned sessions off signs nobody in from one opened before.
        var enabled = session is not null && (await GrainFactory.GetGrain<IUserPoolGrain>(PoolId).GetSettingsAsync())?.SessionEnabled == true;
        var outcome = SessionRules.Decide(query.PromptNone, query.PromptLogin, query.MaxAgeSeconds, enabled ? session : null,
            user is { Blocked: false }, clock.Now);
        if (outcome != SessionOutcome.UseSession) return new SessionDecision(outcome);
        var profile = await GrainFactory.GetGrain<IUserPoolGrain>(PoolId).GetUserAsync(session!.UserId);
        if (profile is null) return new SessionDecision(query.PromptNone ? SessionOutcome.LoginRequired : SessionOutcome.Scan);
        return new SessionDecision(outcome, profile, session.AuthTime, session.IdentitySource, session.AuthenticationMethods);
    }

    async Task<string?> IPoolSessionsGrain.OwnerAsync(string sessionToken) => (await FindAsync(sessionToken))?.UserId;

    async Task<string?> IPoolSessionsGrain.EndAsync(string sessionToken)
    {
        if (await FindAsync(sessionToken) is not { } session) return null;
        await sessions.DeleteAsync(IdOf(sessionToken));
        return session.UserId;
    }

    async Task<SessionsEnded> IPoolSessionsGrain.EndUserAsync(string userId)
    {
        var ended = 0;
        foreach (var id in await sessions.TakeIndexAsync(PoolId, userId))
            if (await sessions.DeleteAsync(id)) ended++;
        var revoked = 0;
        foreach (var familyId in await families.TakeIndexAsync(PoolId, userId))
            if (await families.DeleteAsync(familyId)) revoked++;
        return new SessionsEnded(ended, revoked);
    }

    private async Task<LoginSession?> FindAsync(string token) =>
        token is { Length: > 0 and <= 64 } && await sessions.ReadAsync(IdOf(token)) is { } session && session.PoolId == PoolId && clock.Now < session.ExpiresAt
            ? session : null;

    private static string IdOf(string token) => Secrets.Hash(TokenPurpose, token);
}
