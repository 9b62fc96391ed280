namespace ScanLogin.Grains.Accounts;

/// <summary>The development store: same rules as PostgreSQL (unique identity, unique phone per pool), lost on restart.</summary>
public sealed class InMemoryUserStore : IUserStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Pool, string User), UserProfile> _users = [];
    private readonly Dictionary<(string Pool, string Provider, string Subject), string> _identities = [];

    public Task<UserProfile?> FindByIdentityAsync(string poolId, string subject, CancellationToken ct = default)
    {
        lock (_gate)
            return Task.FromResult(_identities.TryGetValue((poolId, "wechat", subject), out var id) ? _users[(poolId, id)] : null);
    }

    public Task<UserProfile?> FindByPhoneAsync(string poolId, string phone, CancellationToken ct = default)
    {
        lock (_gate)
            return Task.FromResult(_users.Values.FirstOrDefault(u => u.PoolId == poolId && u.Phone == phone));
    }

    public Task<UserProfile?> GetAsync(string poolId, string userId, CancellationToken ct = default)
    {
        lock (_gate)
            return Task.FromResult(_users.GetValueOrDefault((poolId, userId)));
    }

    public Task<UserProfile> CreateWithIdentityAsync(NewUser user, IdentityLink identity, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_identities.TryGetValue(Key(identity), out var existing)) return Task.FromResult(_users[(identity.PoolId, existing)]);
            if (user.Phone is not null && _users.Values.Any(u => u.PoolId == user.PoolId && u.Phone == user.Phone))
                throw new PhoneInUseException(user.PoolId);
            var profile = new UserProfile(user.UserId, user.PoolId, user.Nickname, user.AvatarUrl, user.Phone, user.CreatedAt);
            _users[(user.PoolId, user.UserId)] = profile;
            _identities[Key(identity)] = user.UserId;
            return Task.FromResult(profile);
        }
    }

    public Task<UserProfile> LinkIdentityAsync(IdentityLink identity, string userId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_identities.TryGetValue(Key(identity), out var linked))
                _identities[Key(identity)] = linked = userId;
            return Task.FromResult(_users[(identity.PoolId, linked)]);
        }
    }

    public Task<UserProfile?> RecordLoginAsync(string poolId, string userId, DateTimeOffset at, CancellationToken ct = default) =>
        GetAsync(poolId, userId, ct);

    /// <summary>Users of a pool ordered by id, for listings.</summary>
    public IReadOnlyList<UserProfile> List(string poolId, string? afterId, int limit)
    {
        lock (_gate)
            return _users.Values.Where(u => u.PoolId == poolId && (afterId is null || string.CompareOrdinal(u.Id, afterId) > 0))
                .OrderBy(u => u.Id, StringComparer.Ordinal).Take(limit).ToList();
    }

    private static (string, string, string) Key(IdentityLink i) => (i.PoolId, i.Provider, i.Subject);
}
