namespace ScanLogin.Grains.Accounts;

/// <summary>
/// Operators' user management. Creation goes through the same batches as logins (one decider for every new account);
/// the rest reads or changes single rows directly, each change audited with the phone masked and never a hash.
/// </summary>
public sealed partial class UserPoolGrain
{
    public const int MaxAccountsPerCall = 500;

    async Task<UserProfile?> IUserPoolGrain.GetUserAsync(string userId) => (await _users.GetAsync(PoolId, userId))?.ToProfile();

    async Task<Outcome<AccountCreation[]>> IUserPoolGrain.CreateUsersAsync(NewAccount[] accounts, Actor actor)
    {
        if (Pool.Value is null) return new Failure(AdminFailureCodes.NotFound, $"{What} does not exist.");
        if (accounts.Length is 0 or > MaxAccountsPerCall)
            return new Failure(AdminFailureCodes.ValidationFailed, $"users: 1 to {MaxAccountsPerCall} accounts per call.");
        if (accounts.Any(a => a.PasswordHash is { } h && !PasswordHashing.IsWellFormed(h)))
            return new Failure(AdminFailureCodes.ValidationFailed, "passwordHash: a hash made by ASP.NET Core Identity's PasswordHasher (base64).");

        // Hash on the thread pool, several at once: each hash is deliberately slow.
        var prepared = await Task.WhenAll(accounts.Select(a => Task.Run(() => new NewAccount(AccountNames.Username(a.Username), AccountNames.Email(a.Email),
            AccountNames.Phone(a.Phone), a.Nickname, a.AvatarUrl, null, a.Password is { } p ? _passwords.Hash(p) : a.PasswordHash, a.Blocked))));
        var decisions = await Task.WhenAll(prepared.Select(a => DecideAsync(new AccountRequest.Create(a, actor))));
        return decisions.Select(d => new AccountCreation(d.User?.ToRecord(), d.Resolution.Refusal)).ToArray();
    }

    async Task<UserRecord?> IUserPoolGrain.GetUserRecordAsync(string userId) => (await _users.GetAsync(PoolId, userId))?.ToRecord();

    async Task<UserRecord[]> IUserPoolGrain.SearchUsersAsync(UserQuery query, int limit)
    {
        var normal = query with { Email = AccountNames.Email(query.Email), Username = AccountNames.Username(query.Username), Phone = AccountNames.Phone(query.Phone) };
        return (await _users.SearchAsync(PoolId, normal, limit)).Select(u => u.ToRecord()).ToArray();
    }

    async Task<Outcome<UserRecord>> IUserPoolGrain.SetUserBlockedAsync(string userId, bool blocked, Actor actor)
    {
        if (await _users.SetBlockedAsync(PoolId, userId, blocked) is not var (before, after)) return UserNotFound(userId);
        if (before.Blocked != after.Blocked)
            await _recorder.AuditAsync(PoolId, blocked ? "block" : "unblock", actor, "user", userId, before.ToAudit(), after.ToAudit());
        if (blocked) await EndSessionsAsync(userId);
        return after.ToRecord();
    }

    async Task<Outcome<bool>> IUserPoolGrain.DeleteUserAsync(string userId, Actor actor)
    {
        if (await _users.DeleteAsync(PoolId, userId) is not { } deleted) return UserNotFound(userId);
        await _recorder.AuditAsync(PoolId, "delete", actor, "user", userId, deleted.ToAudit(), null);
        await EndSessionsAsync(userId);
        return true;
    }

    async Task<Outcome<UserIdentityView[]>> IUserPoolGrain.ListIdentitiesAsync(string userId)
    {
        if (await _users.GetAsync(PoolId, userId) is null) return UserNotFound(userId);
        return (await _users.ListIdentitiesAsync(PoolId, userId)).ToArray();
    }

    async Task<Outcome<bool>> IUserPoolGrain.UnbindIdentityAsync(string userId, string subject, Actor actor)
    {
        if (await _users.UnbindAsync(PoolId, userId, subject) is not { } removed)
            return new Failure(AdminFailureCodes.NotFound, $"User {userId} has no identity {subject}.");
        await _recorder.AuditAsync(PoolId, "unbind_identity", actor, "user", userId, new { removed.Subject, removed.IdentitySource }, null);
        return true;
    }

    private static Failure UserNotFound(string userId) => new Failure(AdminFailureCodes.NotFound, $"User {userId} does not exist.");
}
