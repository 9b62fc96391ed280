namespace ScanLogin.Grains.Interfaces;

/// <summary>A user of one pool, as the PC side receives it after an exchange.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string Id,
    [property: Id(1)] string PoolId,
    [property: Id(2)] string? Nickname,
    [property: Id(3)] string? AvatarUrl,
    [property: Id(4)] string? Phone,
    [property: Id(5)] DateTimeOffset CreatedAt)
{
    public override string ToString() => $"UserProfile {{ Id = {Id}, PoolId = {PoolId}, Phone = {PhoneMask.Mask(Phone)} }}";
}
