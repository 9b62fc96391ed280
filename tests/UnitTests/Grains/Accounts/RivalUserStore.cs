using System.Collections.Concurrent;
using ScanLogin.Grains.Accounts;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.UnitTests;

/// <summary>
/// The memory user store, except that a pool listed in <see cref="RivalCommits"/> has another writer (a second pool
/// activation during a fail-over) store the very same batch first, and a pool listed in <see cref="Conflicts"/> has its
/// next commits refused on a unique key, as PostgreSQL refuses a batch another writer got ahead of. (The memory catalog
/// lists users only from an <see cref="InMemoryUserStore"/>: no test on this cluster lists users through the catalog.)
/// </summary>
public sealed class RivalUserStore : IUserStore
{
    /// <summary>Pool id: how many of its next commits another writer makes first.</summary>
    public static readonly ConcurrentDictionary<string, int> RivalCommits = new();

    /// <summary>Pool id: how many of its next commits fail with <see cref="AccountConflictException"/> and store nothing.</summary>
    public static readonly ConcurrentDictionary<string, int> Conflicts = new();

    private readonly InMemoryUserStore _inner = new();

    private static bool TakeOne(ConcurrentDictionary<string, int> counts, string poolId)
    {
        while (counts.TryGetValue(poolId, out var left) && left > 0)
            if (counts.TryUpdate(poolId, left - 1, left)) return true;
        return false;
    }

    public async Task CommitAsync(AccountChanges changes, CancellationToken ct = default)
    {
        if (TakeOne(Conflicts, changes.PoolId)) throw new AccountConflictException("A unique key of a new user is taken (test).");
        if (TakeOne(RivalCommits, changes.PoolId)) await _inner.CommitAsync(changes, ct);
        await _inner.CommitAsync(changes, ct);
    }

    public Task<AccountSnapshot> LookupAsync(string poolId, AccountKeys keys, CancellationToken ct = default) => _inner.LookupAsync(poolId, keys, ct);
    public Task<StoredUser?> GetAsync(string poolId, string userId, CancellationToken ct = default) => _inner.GetAsync(poolId, userId, ct);
    public Task<StoredUser?> FindByAccountAsync(string poolId, string account, CancellationToken ct = default) => _inner.FindByAccountAsync(poolId, account, ct);
    public Task<IReadOnlyList<StoredUser>> SearchAsync(string poolId, UserQuery query, int limit, CancellationToken ct = default) => _inner.SearchAsync(poolId, query, limit, ct);
    public Task<IReadOnlyList<UserIdentityView>> ListIdentitiesAsync(string poolId, string userId, CancellationToken ct = default) => _inner.ListIdentitiesAsync(poolId, userId, ct);
    public Task<(StoredUser Before, StoredUser After)?> SetBlockedAsync(string poolId, string userId, bool blocked, CancellationToken ct = default) =>
        _inner.SetBlockedAsync(poolId, userId, blocked, ct);
    public Task<StoredUser?> DeleteAsync(string poolId, string userId, CancellationToken ct = default) => _inner.DeleteAsync(poolId, userId, ct);
    public Task<UserIdentityView?> UnbindAsync(string poolId, string userId, string subject, CancellationToken ct = default) => _inner.UnbindAsync(poolId, userId, subject, ct);
    public Task<StoredUser?> RecordPasswordFailureAsync(string poolId, string userId, int limit, TimeSpan lockFor, DateTimeOffset now, CancellationToken ct = default) =>
        _inner.RecordPasswordFailureAsync(poolId, userId, limit, lockFor, now, ct);
    public Task ResetPasswordFailuresAsync(string poolId, string userId, CancellationToken ct = default) => _inner.ResetPasswordFailuresAsync(poolId, userId, ct);
}
