namespace ScanLogin.Grains.Interfaces;

/// <summary>One identity source: its settings and its (encrypted) mini-program secret.</summary>
[Alias("ScanLogin.IIdentitySourceGrain")]
public interface IIdentitySourceGrain : IGrainWithStringKey
{
    /// <summary>The source's settings (never the secret), or null for an unknown source.</summary>
    [ReadOnly, Alias("Get")]
    Task<IdentitySourceSettings?> GetAsync();

    /// <summary>Creates or replaces the source as the system (seeding, tests); a null secret keeps the current one.</summary>
    [Alias("Save")]
    Task SaveAsync(IdentitySourceSettings settings, string? miniProgramAppSecret);

    /// <summary>The settings with their revision and times, for the admin API; null when unknown.</summary>
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
