namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// A new account, from an operator (create, import) or from the PC side of an ask-binding ticket (register).
/// The password travels in clear only to the pool grain, which hashes it; an import may bring a hash made by
/// ASP.NET Core Identity's PasswordHasher instead.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.NewAccount")]
public sealed record NewAccount(
    [property: Id(0)] string? Username,
    [property: Id(1)] string? Email,
    [property: Id(2)] string? Phone,
    [property: Id(3)] string? Nickname,
    [property: Id(4)] string? AvatarUrl,
    [property: Id(5)] string? Password,
    [property: Id(6)] string? PasswordHash = null,
    [property: Id(7)] bool Blocked = false)
{
    public override string ToString() => $"NewAccount {{ Username = {Username}, Email = {Email}, Phone = {PhoneMask.Mask(Phone)} }}";
}

/// <summary>A user as operators see it: never the password hash.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UserRecord")]
public sealed record UserRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string PoolId,
    [property: Id(2)] string? Username,
    [property: Id(3)] string? Email,
    [property: Id(4)] string? Phone,
    [property: Id(5)] string? Nickname,
    [property: Id(6)] string? AvatarUrl,
    [property: Id(7)] bool Blocked,
    [property: Id(8)] bool PasswordSet,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] DateTimeOffset? LastLoginAt,
    [property: Id(11)] int LoginCount,
    [property: Id(12)] DateTimeOffset? LockedUntil)
{
    public override string ToString() =>
        $"UserRecord {{ Id = {Id}, PoolId = {PoolId}, Phone = {PhoneMask.Mask(Phone)}, Blocked = {Blocked}, PasswordSet = {PasswordSet} }}";
}

/// <summary>A WeChat identity bound to a user. <see cref="Subject"/> is its id within the pool.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UserIdentityView")]
public sealed record UserIdentityView(
    [property: Id(0)] string Provider,
    [property: Id(1)] string Subject,
    [property: Id(2)] string IdentitySource,
    [property: Id(3)] string OpenId,
    [property: Id(4)] string? UnionId,
    [property: Id(5)] DateTimeOffset CreatedAt);

/// <summary>Finds users by exactly one field: phone, email, username, or a WeChat openid / unionid.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UserQuery")]
public sealed record UserQuery(
    [property: Id(0)] string? Phone = null,
    [property: Id(1)] string? Email = null,
    [property: Id(2)] string? Username = null,
    [property: Id(3)] string? OpenId = null,
    [property: Id(4)] string? UnionId = null)
{
    public override string ToString() => $"UserQuery {{ Phone = {PhoneMask.Mask(Phone)}, Email = {Email is not null}, Username = {Username is not null}, OpenId = {OpenId is not null}, UnionId = {UnionId is not null} }}";
}

/// <summary>How one account of a create or import ended: the user, or why not.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AccountCreation")]
public sealed record AccountCreation(
    [property: Id(0)] UserRecord? User,
    [property: Id(1)] Failure? Failure);

/// <summary>Phone numbers in logs and audit entries: the country code, the first three and the last two digits.</summary>
public static class PhoneMask
{
    public static string? Mask(string? phone)
    {
        if (string.IsNullOrEmpty(phone)) return phone;
        if (phone.Length <= 6) return new string('*', phone.Length);
        var keepStart = phone.StartsWith('+') ? Math.Min(6, phone.Length - 4) : 3;
        return phone[..keepStart] + new string('*', phone.Length - keepStart - 2) + phone[^2..];
    }
}
