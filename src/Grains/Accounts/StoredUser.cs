namespace ScanLogin.Grains.Accounts;

/// <summary>A user row as the store holds it. Only the pool grain sees the password hash; nothing it hands out carries it.</summary>
public sealed record StoredUser(
    string Id,
    string PoolId,
    string? Username,
    string? Email,
    string? Phone,
    string? Nickname,
    string? AvatarUrl,
    string? PasswordHash,
    bool Blocked,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt = null,
    int LoginCount = 0,
    int FailedPasswords = 0,
    DateTimeOffset? LockedUntil = null)
{
    public UserProfile ToProfile() => new(Id, PoolId, Nickname, AvatarUrl, Phone, CreatedAt);

    public UserRecord ToRecord() => new(Id, PoolId, Username, Email, Phone, Nickname, AvatarUrl, Blocked, PasswordHash is not null,
        CreatedAt, LastLoginAt, LoginCount, LockedUntil);

    /// <summary>What the audit log keeps of a user: the phone masked, never the hash.</summary>
    public UserAuditView ToAudit() => new(Id, Username, Email, PhoneMask.Mask(Phone), Nickname, Blocked, PasswordHash is not null);

    public override string ToString() => $"StoredUser {{ Id = {Id}, PoolId = {PoolId} }}";
}

public sealed record UserAuditView(string Id, string? Username, string? Email, string? Phone, string? Nickname, bool Blocked, bool PasswordSet)
{
    public override string ToString() => $"UserAuditView {{ Id = {Id}, Phone = {ScanLogin.Grains.Interfaces.PhoneMask.Mask(Phone)}, Blocked = {Blocked}, PasswordSet = {PasswordSet} }}";
}

/// <summary>A provider identity (here: WeChat) bound to a user. The subject is unique within a pool and provider.</summary>
public sealed record IdentityLink(string PoolId, string Provider, string Subject, string IdentitySource, string OpenId, string? UnionId)
{
    public static IdentityLink Of(string poolId, WeChatLogin login) =>
        new(poolId, "wechat", login.Subject, login.IdentitySource, login.OpenId, login.UnionId);
}

/// <summary>Normal forms, so uniqueness and look-ups agree: usernames and emails compare without case.</summary>
public static class AccountNames
{
    public static string? Username(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();

    public static string? Email(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();

    public static string? Phone(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
