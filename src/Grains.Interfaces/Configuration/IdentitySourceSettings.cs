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

/// <summary>One identity source: its settings and its (encrypted) mini-program secret.</summary>
[Alias("ScanLogin.IIdentitySourceGrain")]
public interface IIdentitySourceGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("Get")]
    Task<IdentitySourceSettings?> GetAsync();

    /// <summary>Creates or replaces the source as the system (seeding, tests); a null secret keeps the current one.</summary>
    [Alias("Save")]
    Task SaveAsync(IdentitySourceSettings settings, string? miniProgramAppSecret);

    [ReadOnly, Alias("GetVersioned")]
    Task<Versioned<IdentitySourceSettings>?> GetVersionedAsync();

    /// <summary>Creates the source; refused if the identifier is taken in the pool or an application is not the pool's.</summary>
    [Alias("Create")]
    Task<Outcome<Versioned<IdentitySourceSettings>>> CreateAsync(IdentitySourceSettings settings, string? miniProgramAppSecret, Actor actor);

    /// <summary>Changes the source; the identifier never changes. A null secret keeps the current one.</summary>
    [Alias("Update")]
    Task<Outcome<Versioned<IdentitySourceSettings>>> UpdateAsync(IdentitySourceSettings settings, string? miniProgramAppSecret, int? ifRevision, Actor actor);

    /// <summary>Deletes the source: new tickets stop at once and live ones can no longer be confirmed.</summary>
    [Alias("Delete")]
    Task<Outcome<bool>> DeleteAsync(int? ifRevision, Actor actor);

    /// <summary>Settings with the decrypted mini-program credentials, for grains that call WeChat; null when unknown.</summary>
    [ReadOnly, Alias("GetRuntime")]
    Task<IdentitySourceRuntime?> GetRuntimeAsync();

    /// <summary>Validates and stores the mini-program logo (PNG or JPEG), or removes it when null; answers the new logo hash.</summary>
    [Alias("SetLogo")]
    Task<Outcome<string?>> SetLogoAsync(byte[]? image, Actor? actor = null);

    /// <summary>The stored logo as PNG, or null.</summary>
    [ReadOnly, Alias("GetLogo")]
    Task<byte[]?> GetLogoAsync();

    /// <summary>How a WeChat call for this source went: a failure (and when WeChat will next be asked), or null for a success.</summary>
    [OneWay, Alias("ReportWeChat")]
    Task ReportWeChatAsync(Failure? failure, DateTimeOffset? nextAttemptAt);

    /// <summary>The last WeChat error and the failures since the last success, kept since this source was last loaded; null if none.</summary>
    [ReadOnly, Alias("GetWeChatHealth")]
    Task<WeChatHealth?> GetWeChatHealthAsync();
}
