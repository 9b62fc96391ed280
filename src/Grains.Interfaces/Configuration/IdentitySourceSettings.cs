namespace ScanLogin.Grains.Interfaces;

/// <summary>Whether a new WeChat user may get an account (the seed's "Login Mode").</summary>
[GenerateSerializer]
public enum LoginMode
{
    LoginAndRegister = 0,
    LoginOnly = 1,
}

/// <summary>How a new WeChat identity relates to existing users (the seed's "Account Identity Association").</summary>
[GenerateSerializer]
public enum AccountAssociation
{
    Off = 0,
    FieldMatch = 1,
    AskBinding = 2,
}

/// <summary>
/// A "PC mini-program scan code" identity source of one pool. Never carries the AppSecret in clear.
/// <see cref="LogoHash"/> names the uploaded logo's content and is set only by <see cref="IIdentitySourceGrain.SetLogoAsync"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.IdentitySourceSettings")]
public sealed record IdentitySourceSettings(
    [property: Id(0)] string PoolId,
    [property: Id(1)] string Identifier,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] string? CallbackUrl,
    [property: Id(4)] bool Enabled,
    [property: Id(5)] bool PrivateDeployment,
    [property: Id(6)] string? MiniProgramAppId,
    [property: Id(7)] LoginMode LoginMode,
    [property: Id(8)] AccountAssociation Association,
    [property: Id(9)] TimeSpan TicketLifetime,
    [property: Id(10)] string[] ApplicationIds,
    [property: Id(11)] string? LogoHash = null)
{
    public static readonly TimeSpan DefaultTicketLifetime = TimeSpan.FromSeconds(120);

    /// <summary>The grain key: identifiers are unique within a pool only.</summary>
    public static string KeyOf(string poolId, string identifier) => $"{poolId}/{identifier}";
}

/// <summary>What a ticket needs to run a login through this source: settings plus the mini program to call.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.IdentitySourceRuntime")]
public sealed record IdentitySourceRuntime(
    [property: Id(0)] IdentitySourceSettings Settings,
    [property: Id(1)] string MiniProgramAppId,
    [property: Id(2)] string MiniProgramAppSecret)
{
    public override string ToString() => $"IdentitySourceRuntime {{ {Settings.PoolId}/{Settings.Identifier}, AppId = {MiniProgramAppId} }}";
}
