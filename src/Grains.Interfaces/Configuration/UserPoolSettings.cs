namespace ScanLogin.Grains.Interfaces;

/// <summary>A tenant: the user pool every application and identity source belongs to.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.UserPoolSettings")]
public sealed record UserPoolSettings(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string Name);
