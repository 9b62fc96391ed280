using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Access;
using ScanLogin.Grains.Admin;
using ScanLogin.Grains.QrCodes;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Configuration;

/// <summary>
/// One identity source of a pool (key "pool/identifier"). Keeps its mini-program AppSecret encrypted and its
/// logo; every change is listed and audited.
/// </summary>
public sealed class IdentitySourceGrain(
    [PersistentState("identity-source", StorageNames.Configuration)] IPersistentState<IdentitySourceState> state,
    SecretProtector protector,
    IOptions<WeChatPlatformOptions> platform,
    AdminRecorder recorder,
    SettingsCacheClient settingsCache) : Grain, IIdentitySourceGrain
{
    private VersionedState<IdentitySourceSettings> Source => state.State.Source;
    private string What => $"Identity source {this.GetPrimaryKeyString()}";
    // How its WeChat calls go: in memory only, for the operator's view (the failing caller keeps this grain active).
    private WeChatHealth? _health;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Source.ToVersioned() is { } source)
            await recorder.SyncAsync(CatalogKind.IdentitySources, source.Value.PoolId, source.Value.Identifier, IdentitySourceView.From(source));
    }

    Task<IdentitySourceSettings?> IIdentitySourceGrain.GetAsync() => Task.FromResult(Source.Value);

    Task<Versioned<IdentitySourceSettings>?> IIdentitySourceGrain.GetVersionedAsync() => Task.FromResult(Source.ToVersioned());

    async Task IIdentitySourceGrain.SaveAsync(IdentitySourceSettings settings, string? miniProgramAppSecret)
    {
        if (IdentitySourceSettings.KeyOf(settings.PoolId, settings.Identifier) != this.GetPrimaryKeyString())
            throw new ArgumentException("The settings belong to another identity source.", nameof(settings));
        if (CheckPrivateDeployment(settings, miniProgramAppSecret) is { } refused) throw new ArgumentException(refused.Message, nameof(settings));
        // Seeding repeats itself at every start: a save that changes nothing writes nothing (and audits nothing).
        if (miniProgramAppSecret is null && AdminRecorder.Unchanged(Source.Value, settings with { LogoHash = Source.Value?.LogoHash })) return;
        if (await ClaimMiniProgramAsync(settings) is { } taken) throw new ArgumentException(taken.Message, nameof(settings));
        await WriteAsync(settings, miniProgramAppSecret, Source.Value is null ? "create" : "update", Actor.System);
    }

    async Task<Outcome<Versioned<IdentitySourceSettings>>> IIdentitySourceGrain.CreateAsync(IdentitySourceSettings settings, string? secret, Actor actor)
    {
        if (Source.Value is not null)
            return new Failure(AdminFailureCodes.Exists, $"The pool already has an identity source with identifier {settings.Identifier}.");
        if (IdentitySourceSettings.KeyOf(settings.PoolId, settings.Identifier) != this.GetPrimaryKeyString())
            return new Failure(AdminFailureCodes.ValidationFailed, "The settings belong to another identity source.");
        if (await CheckAsync(settings, secret) is { } refused) return refused;
        return await WriteAsync(settings, secret, "create", actor);
    }

    async Task<Outcome<Versioned<IdentitySourceSettings>>> IIdentitySourceGrain.UpdateAsync(IdentitySourceSettings settings, string? secret,
        int? ifRevision, Actor actor)
    {
        if (Source.CheckUpdate(What, ifRevision) is { } stale) return stale;
        if (settings.Identifier != Source.Value!.Identifier || settings.PoolId != Source.Value.PoolId)
            return new Failure(AdminFailureCodes.ValidationFailed, "identifier: it cannot be changed after creation.");
        if (await CheckAsync(settings, secret) is { } refused) return refused;
        return await WriteAsync(settings, secret, "update", actor);
    }

    async Task<Outcome<bool>> IIdentitySourceGrain.DeleteAsync(int? ifRevision, Actor actor)
    {
        if (Source.CheckUpdate(What, ifRevision) is { } refused) return refused;
        var before = IdentitySourceView.From(Source.ToVersioned()!);
        var usedAppId = PrivateAppIdOf(Source.Value);
        await state.ClearStateAsync();
        await settingsCache.ForgetEverywhereAsync(this.GetPrimaryKeyString());
        await ReleaseMiniProgramAsync(usedAppId, null);
        await recorder.RecordAsync(CatalogKind.IdentitySources, before.PoolId, before.Identifier, "delete", actor, before, null);
        return true;
    }

    async Task<Outcome<string?>> IIdentitySourceGrain.SetLogoAsync(byte[]? image, Actor? actor)
    {
        if (Source.Value is not { } settings) return new Failure(FailureCodes.IdentitySourceNotFound, $"{What} does not exist.");
        byte[]? logo = null;
        if (image is not null)
        {
            var normalized = LogoImage.Normalize(image);
            if (normalized.Value is null) return normalized.Failure!;
            logo = normalized.Value;
        }
        var hash = logo is null ? null : Secrets.Base64Url(SHA256.HashData(logo))[..16];
        if (hash == settings.LogoHash) return hash; // the same logo again
        state.State.Logo = logo;
        await WriteAsync(settings with { LogoHash = hash }, null, logo is null ? "delete_logo" : "set_logo", actor ?? Actor.System, keepLogoHash: false);
        return hash;
    }

    Task<byte[]?> IIdentitySourceGrain.GetLogoAsync() => Task.FromResult(state.State.Logo);

    async Task<IdentitySourceRuntime?> IIdentitySourceGrain.GetRuntimeAsync()
    {
        if (Source.Value is not { } settings) return null;
        // Which mini program serves the source is the access policy's rule, the same one a ticket's terms fix at creation.
        var appId = AccessPolicy.MiniProgramOf(settings, platform.Value.DefaultMiniProgramAppId) ?? "";
        return new IdentitySourceRuntime(settings, appId,
            settings.PrivateDeployment ? await AppSecretAsync() : platform.Value.DefaultMiniProgramAppSecret);
    }

    Task IIdentitySourceGrain.ReportWeChatAsync(Failure? failure, DateTimeOffset? nextAttemptAt)
    {
        var now = recorder.Now;
        _health = failure is null
            ? (_health ?? new WeChatHealth(null, null, null, 0, null, null)) with { ConsecutiveFailures = 0, NextAttemptAt = null, LastSuccessAt = now }
            : new WeChatHealth(failure.Code, failure.Message, now, (_health?.ConsecutiveFailures ?? 0) + 1, nextAttemptAt, _health?.LastSuccessAt);
        return Task.CompletedTask;
    }

    Task<WeChatHealth?> IIdentitySourceGrain.GetWeChatHealthAsync() => Task.FromResult(_health);

    /// <summary>Rules that need more than one field, or other grains: private deployment credentials, applications of the same pool.</summary>
    private async Task<Failure?> CheckAsync(IdentitySourceSettings settings, string? secret)
    {
        if (CheckPrivateDeployment(settings, secret) is { } refused) return refused;
        foreach (var appId in settings.ApplicationIds.Distinct())
            if (await GrainFactory.GetGrain<IApplicationGrain>(appId).GetAsync() is not { } app || app.PoolId != settings.PoolId)
                return new Failure(AdminFailureCodes.ValidationFailed, $"applicationIds: {appId} is not an application of pool {settings.PoolId}.");
        if (await VerifyMiniProgramSecretAsync(settings, secret) is { } rejected) return rejected;
        return await ClaimMiniProgramAsync(settings);
    }

    /// <summary>
    /// An AppID is public: a pool (key) claims one only with a secret WeChat accepts for it (asked through the mini
    /// program's access-token grain, which also keeps WeChat from being asked again and again with a refused secret).
    /// Only operators' creates and updates come here; seeding from configuration is trusted.
    /// </summary>
    private async Task<Failure?> VerifyMiniProgramSecretAsync(IdentitySourceSettings settings, string? secret)
    {
        if (PrivateAppIdOf(settings) is not { } appId || appId == platform.Value.DefaultMiniProgramAppId) return null;
        // An update that keeps the secret proves the stored one still works for this AppID (the AppID may be new).
        var appSecret = secret ?? (state.State.ProtectedAppSecret is not null ? await AppSecretAsync() : null);
        if (appSecret is null) return null; // refused by CheckPrivateDeployment already
        var token = await GrainFactory.GetGrain<IWeChatAccessTokenGrain>(appId).GetTokenAsync(appSecret);
        return token.Failure switch
        {
            null => null,
            { Code: FailureCodes.WeChatMisconfigured } refused => new Failure(AdminFailureCodes.ValidationFailed,
                $"miniProgramAppId, miniProgramAppSecret: WeChat did not accept this AppSecret for this AppID ({refused.Message}); nothing was claimed or saved."),
            // WeChat busy or limiting: nothing is claimed, and the operator may simply try again.
            var unavailable => unavailable,
        };
    }

    /// <summary>
    /// A privately deployed source claims its AppID for its pool: another pool's claim refuses it (unless the platform
    /// shares that AppID), and the platform's own mini program is for sources without private deployment.
    /// </summary>
    private async Task<Failure?> ClaimMiniProgramAsync(IdentitySourceSettings settings)
    {
        if (PrivateAppIdOf(settings) is not { } appId) return null;
        if (appId == platform.Value.DefaultMiniProgramAppId)
            return new Failure(AdminFailureCodes.ValidationFailed,
                "miniProgramAppId: this is the platform's mini program; turn privateDeployment off to use it.");
        var shared = platform.Value.SharedMiniProgramAppIds.Contains(appId, StringComparer.Ordinal);
        var claimed = await GrainFactory.GetGrain<IWeChatAccessTokenGrain>(appId).ClaimAsync(settings.PoolId, this.GetPrimaryKeyString(), shared);
        return claimed.Failure;
    }

    private async Task ReleaseMiniProgramAsync(string? usedAppId, string? stillUsedAppId)
    {
        if (usedAppId is not null && usedAppId != stillUsedAppId)
            await GrainFactory.GetGrain<IWeChatAccessTokenGrain>(usedAppId).ReleaseAsync(this.GetPrimaryKeyString());
    }

    private static string? PrivateAppIdOf(IdentitySourceSettings? settings) =>
        settings is { PrivateDeployment: true, MiniProgramAppId: { Length: > 0 } appId } ? appId : null;

    /// <summary>The stored AppSecret; one stored before ciphertexts were bound to their record is stored again, bound.</summary>
    private async Task<string> AppSecretAsync()
    {
        var context = SecretContext.AppSecretOf(this.GetPrimaryKeyString());
        var stored = state.State.ProtectedAppSecret!;
        var secret = await protector.UnprotectAsync(stored, context);
        if (!SecretProtector.IsBoundToItsRecord(stored))
        {
            state.State.ProtectedAppSecret = await protector.ProtectAsync(secret, context);
            await state.WriteStateAsync();
        }
        return secret;
    }

    private Failure? CheckPrivateDeployment(IdentitySourceSettings settings, string? secret) =>
        settings.PrivateDeployment && (string.IsNullOrEmpty(settings.MiniProgramAppId) || (secret is null && state.State.ProtectedAppSecret is null))
            ? new Failure(AdminFailureCodes.ValidationFailed, "miniProgramAppId, miniProgramAppSecret: private deployment needs the mini program's AppID and AppSecret.")
            : null;

    private async Task<Versioned<IdentitySourceSettings>> WriteAsync(IdentitySourceSettings settings, string? secret, string action, Actor actor,
        bool keepLogoHash = true)
    {
        var before = Source.ToVersioned() is { } old ? IdentitySourceView.From(old) : null;
        var usedAppId = PrivateAppIdOf(Source.Value);
        // The logo hash follows the stored logo, whatever the caller sent.
        var logoHash = keepLogoHash ? Source.Value?.LogoHash : settings.LogoHash;
        Source.Set(settings with { LogoHash = logoHash }, recorder.Now, secretChanged: secret is not null);
        if (secret is not null) state.State.ProtectedAppSecret = await protector.ProtectAsync(secret, SecretContext.AppSecretOf(this.GetPrimaryKeyString()));
        await state.WriteStateAsync();
        await settingsCache.ForgetEverywhereAsync(this.GetPrimaryKeyString());
        await ReleaseMiniProgramAsync(usedAppId, PrivateAppIdOf(settings));
        var after = Source.ToVersioned()!;
        await recorder.RecordAsync(CatalogKind.IdentitySources, settings.PoolId, settings.Identifier, action, actor, before, IdentitySourceView.From(after));
        return after;
    }
}

[GenerateSerializer, Alias("ScanLogin.IdentitySourceState")]
public sealed class IdentitySourceState
{
    [Id(0)] public VersionedState<IdentitySourceSettings> Source { get; set; } = new();
    [Id(1)] public string? ProtectedAppSecret { get; set; }
    [Id(2)] public byte[]? Logo { get; set; }
}
