namespace ScanLogin.Grains.Accounts;

/// <summary>
/// Users and their bound identities, per pool. Account decisions use <see cref="LookupAsync"/> and
/// <see cref="CommitAsync"/> (one round trip, one transaction per batch); the rest serves operators and password checks.
/// </summary>
public interface IUserStore
{
    /// <summary>Every user matching any of the keys, and the users the subjects are bound to.</summary>
    Task<AccountSnapshot> LookupAsync(string poolId, AccountKeys keys, CancellationToken ct = default);

    /// <summary>Writes a batch's changes in one transaction; <see cref="AccountConflictException"/> when a unique key or a deleted user says another writer got there first.</summary>
    Task CommitAsync(AccountChanges changes, CancellationToken ct = default);

    Task<StoredUser?> GetAsync(string poolId, string userId, CancellationToken ct = default);

    /// <summary>The user whose username, email or phone is <paramref name="account"/> (already in normal form).</summary>
    Task<StoredUser?> FindByAccountAsync(string poolId, string account, CancellationToken ct = default);

    Task<IReadOnlyList<StoredUser>> SearchAsync(string poolId, UserQuery query, int limit, CancellationToken ct = default);

    Task<IReadOnlyList<UserIdentityView>> ListIdentitiesAsync(string poolId, string userId, CancellationToken ct = default);

    /// <summary>Returns the user as it was before and after, or null if there is no such user.</summary>
    Task<(StoredUser Before, StoredUser After)?> SetBlockedAsync(string poolId, string userId, bool blocked, CancellationToken ct = default);

    /// <summary>Deletes the user and its identities; returns what was deleted.</summary>
    Task<StoredUser?> DeleteAsync(string poolId, string userId, CancellationToken ct = default);

    Task<UserIdentityView?> UnbindAsync(string poolId, string userId, string subject, CancellationToken ct = default);

    /// <summary>Counts a wrong password; locks the account for <paramref name="lockFor"/> when the count reaches <paramref name="limit"/>.</summary>
    Task<StoredUser?> RecordPasswordFailureAsync(string poolId, string userId, int limit, TimeSpan lockFor, DateTimeOffset now, CancellationToken ct = default);

    Task ResetPasswordFailuresAsync(string poolId, string userId, CancellationToken ct = default);
}

/// <summary>Another writer (another activation during a fail-over, an operator's delete) changed the keys a batch relied on.</summary>
public sealed class AccountConflictException(string message, Exception? inner = null) : Exception(message, inner);
