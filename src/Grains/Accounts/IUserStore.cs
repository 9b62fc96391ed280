namespace ScanLogin.Grains.Accounts;

/// <summary>Users and their linked identities, per pool. Only user-pool grains call it, one call at a time per pool.</summary>
public interface IUserStore
{
    Task<UserProfile?> FindByIdentityAsync(string poolId, string subject, CancellationToken ct = default);

    Task<UserProfile?> FindByPhoneAsync(string poolId, string phone, CancellationToken ct = default);

    Task<UserProfile?> GetAsync(string poolId, string userId, CancellationToken ct = default);

    /// <summary>Creates a user and links the identity in one step. If the identity is already linked, returns that user instead.</summary>
    Task<UserProfile> CreateWithIdentityAsync(NewUser user, IdentityLink identity, CancellationToken ct = default);

    /// <summary>Links an identity to an existing user; returns the user the identity ends up linked to.</summary>
    Task<UserProfile> LinkIdentityAsync(IdentityLink identity, string userId, CancellationToken ct = default);

    /// <summary>Counts a login (last login, count); returns the user as stored.</summary>
    Task<UserProfile?> RecordLoginAsync(string poolId, string userId, DateTimeOffset at, CancellationToken ct = default);
}

public sealed record NewUser(string PoolId, string UserId, string? Nickname, string? AvatarUrl, string? Phone, DateTimeOffset CreatedAt);

/// <summary>A provider identity (here: WeChat) bound to a user. The subject is unique within a pool and provider.</summary>
public sealed record IdentityLink(string PoolId, string Provider, string Subject, string IdentitySource, string OpenId, string? UnionId);

/// <summary>The phone number is already another user's: the pool refuses a second account with it.</summary>
public sealed class PhoneInUseException(string poolId) : Exception($"The phone number is already used by another user of pool {poolId}.");
