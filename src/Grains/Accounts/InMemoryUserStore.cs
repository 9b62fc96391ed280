namespace ScanLogin.Grains.Accounts;

/// <summary>The development store: the same unique keys as PostgreSQL (identity; phone, username, email per pool), lost on restart.</summary>
public sealed class InMemoryUserStore : IUserStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Pool, string User), StoredUser> _users = [];
    private readonly Dictionary<(string Pool, string Subject), (IdentityLink Link, string UserId, DateTimeOffset At)> _identities = [];

    public Task<AccountSnapshot> LookupAsync(string poolId, AccountKeys keys, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var bySubject = keys.Subjects.Where(s => _identities.ContainsKey((poolId, s))).ToDictionary(s => s, s => _identities[(poolId, s)].UserId);
            var users = InPool(poolId).Where(u => keys.UserIds.Contains(u.Id) || bySubject.ContainsValue(u.Id) || (u.Phone is { } p && keys.Phones.Contains(p))
                || (u.Username is { } n && keys.Usernames.Contains(n)) || (u.Email is { } e && keys.Emails.Contains(e))).ToList();
            return Task.FromResult(new AccountSnapshot(users, bySubject));
        }
    }

    public Task CommitAsync(AccountChanges changes, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var pool = changes.PoolId;
            foreach (var user in changes.NewUsers)
                if (_users.ContainsKey((pool, user.Id)) || InPool(pool).Any(u => Same(u.Phone, user.Phone) || Same(u.Username, user.Username) || Same(u.Email, user.Email)))
                    throw new AccountConflictException("A unique key of a new user is taken.");
            var created = changes.NewUsers.Select(u => u.Id).ToHashSet();
            foreach (var (identity, userId) in changes.NewLinks)
                if (_identities.ContainsKey((pool, identity.Subject)) || (!created.Contains(userId) && !_users.ContainsKey((pool, userId))))
                    throw new AccountConflictException("The identity is bound already, or its user is gone.");
            foreach (var user in changes.NewUsers) _users[(pool, user.Id)] = user;
            foreach (var (identity, userId) in changes.NewLinks) _identities[(pool, identity.Subject)] = (identity, userId, changes.Now);
            foreach (var (userId, count) in changes.Logins)
                if (_users.TryGetValue((pool, userId), out var u)) _users[(pool, userId)] = u with { LoginCount = u.LoginCount + count, LastLoginAt = changes.Now };
            return Task.CompletedTask;
        }
    }

    public Task<StoredUser?> GetAsync(string poolId, string userId, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult(_users.GetValueOrDefault((poolId, userId)));
    }

    public Task<StoredUser?> FindByAccountAsync(string poolId, string account, CancellationToken ct = default)
    {
        lock (_gate)
            return Task.FromResult(InPool(poolId).FirstOrDefault(u => u.Username == account) ?? InPool(poolId).FirstOrDefault(u => u.Email == account)
                ?? InPool(poolId).FirstOrDefault(u => u.Phone == account));
    }

    public Task<IReadOnlyList<StoredUser>> SearchAsync(string poolId, UserQuery q, int limit, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var boundTo = _identities.Where(i => i.Key.Pool == poolId && ((q.OpenId is { } o && i.Value.Link.OpenId == o) || (q.UnionId is { } un && i.Value.Link.UnionId == un)))
                .Select(i => i.Value.UserId).ToHashSet();
            IReadOnlyList<StoredUser> found = InPool(poolId).Where(u => q switch
            {
                { Phone: { } p } => u.Phone == p,
                { Email: { } e } => u.Email == e,
                { Username: { } n } => u.Username == n,
                _ => boundTo.Contains(u.Id),
            }).OrderBy(u => u.Id, StringComparer.Ordinal).Take(limit).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<UserIdentityView>> ListIdentitiesAsync(string poolId, string userId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            IReadOnlyList<UserIdentityView> list = _identities.Where(i => i.Key.Pool == poolId && i.Value.UserId == userId).Select(i => View(i.Value))
                .OrderBy(v => v.CreatedAt).ThenBy(v => v.Subject, StringComparer.Ordinal).ToList();
            return Task.FromResult(list);
        }
    }

    public Task<(StoredUser Before, StoredUser After)?> SetBlockedAsync(string poolId, string userId, bool blocked, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue((poolId, userId), out var before)) return Task.FromResult<(StoredUser, StoredUser)?>(null);
            var after = _users[(poolId, userId)] = before with { Blocked = blocked };
            return Task.FromResult<(StoredUser, StoredUser)?>((before, after));
        }
    }

    public Task<StoredUser?> DeleteAsync(string poolId, string userId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_users.Remove((poolId, userId), out var removed)) return Task.FromResult<StoredUser?>(null);
            foreach (var key in _identities.Where(i => i.Key.Pool == poolId && i.Value.UserId == userId).Select(i => i.Key).ToList()) _identities.Remove(key);
            return Task.FromResult<StoredUser?>(removed);
        }
    }

    public Task<UserIdentityView?> UnbindAsync(string poolId, string userId, string subject, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_identities.TryGetValue((poolId, subject), out var link) || link.UserId != userId) return Task.FromResult<UserIdentityView?>(null);
            _identities.Remove((poolId, subject));
            return Task.FromResult<UserIdentityView?>(View(link));
        }
    }

    public Task<StoredUser?> RecordPasswordFailureAsync(string poolId, string userId, int limit, TimeSpan lockFor, DateTimeOffset now, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue((poolId, userId), out var u)) return Task.FromResult<StoredUser?>(null);
            var count = u.FailedPasswords + 1;
            var updated = count >= limit ? u with { FailedPasswords = 0, LockedUntil = now + lockFor } : u with { FailedPasswords = count };
            return Task.FromResult<StoredUser?>(_users[(poolId, userId)] = updated);
        }
    }

    public Task ResetPasswordFailuresAsync(string poolId, string userId, CancellationToken ct = default)
    {
        lock (_gate)
            if (_users.TryGetValue((poolId, userId), out var u)) _users[(poolId, userId)] = u with { FailedPasswords = 0, LockedUntil = null };
        return Task.CompletedTask;
    }

    /// <summary>Users of a pool ordered by id, for listings.</summary>
    public IReadOnlyList<UserProfile> List(string poolId, string? afterId, int limit)
    {
        lock (_gate)
            return InPool(poolId).Where(u => afterId is null || string.CompareOrdinal(u.Id, afterId) > 0)
                .OrderBy(u => u.Id, StringComparer.Ordinal).Take(limit).Select(u => u.ToProfile()).ToList();
    }

    private IEnumerable<StoredUser> InPool(string poolId) => _users.Values.Where(u => u.PoolId == poolId);

    private static bool Same(string? a, string? b) => a is not null && a == b;

    private static UserIdentityView View((IdentityLink Link, string UserId, DateTimeOffset At) i) =>
        new(i.Link.Provider, i.Link.Subject, i.Link.IdentitySource, i.Link.OpenId, i.Link.UnionId, i.At);
}
