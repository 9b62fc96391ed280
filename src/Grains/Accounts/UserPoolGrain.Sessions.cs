namespace ScanLogin.Grains.Accounts;

/// <summary>Ending a user's sessions: the operator's call, and what a block or a delete does after its change is stored.</summary>
public sealed partial class UserPoolGrain
{
    async Task<Outcome<SessionsEnded>> IUserPoolGrain.EndUserSessionsAsync(string userId, Actor actor)
    {
        if (await _users.GetAsync(PoolId, userId) is null) return UserNotFound(userId);
        var ended = await EndSessionsAsync(userId);
        await _recorder.AuditAsync(PoolId, "end_sessions", actor, "user", userId, null, ended);
        return ended;
    }

    /// <summary>The sessions and refresh families go; each use also re-reads the user, so a failure here still signs nobody in.</summary>
    private Task<SessionsEnded> EndSessionsAsync(string userId) => GrainFactory.GetGrain<IPoolSessionsGrain>(PoolId).EndUserAsync(userId);
}
