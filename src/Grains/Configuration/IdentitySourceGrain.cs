using Microsoft.Extensions.Options;

namespace ScanLogin.Grains.Configuration;

/// <summary>One identity source of a pool (key "pool/identifier"). Keeps its mini-program AppSecret encrypted.</summary>
public sealed class IdentitySourceGrain(
    [PersistentState("identity-source", StorageNames.Configuration)] IPersistentState<IdentitySourceState> state,
    SecretProtector protector,
    IOptions<WeChatPlatformOptions> platform) : Grain, IIdentitySourceGrain
{
    Task<IdentitySourceSettings?> IIdentitySourceGrain.GetAsync() => Task.FromResult(state.State.Settings);

    async Task IIdentitySourceGrain.SaveAsync(IdentitySourceSettings settings, string? miniProgramAppSecret)
    {
        if (IdentitySourceSettings.KeyOf(settings.PoolId, settings.Identifier) != this.GetPrimaryKeyString())
            throw new ArgumentException("The settings belong to another identity source.", nameof(settings));
        var protectedSecret = miniProgramAppSecret is null ? state.State.ProtectedAppSecret : protector.Protect(miniProgramAppSecret);
        if (settings.PrivateDeployment && (string.IsNullOrEmpty(settings.MiniProgramAppId) || protectedSecret is null))
            throw new ArgumentException("Private deployment needs the mini program's AppID and AppSecret.", nameof(settings));
        state.State = new IdentitySourceState { Settings = settings, ProtectedAppSecret = protectedSecret };
        await state.WriteStateAsync();
    }

    Task<IdentitySourceRuntime?> IIdentitySourceGrain.GetRuntimeAsync()
    {
        if (state.State.Settings is not { } settings) return Task.FromResult<IdentitySourceRuntime?>(null);
        var runtime = settings.PrivateDeployment
            ? new IdentitySourceRuntime(settings, settings.MiniProgramAppId!, protector.Unprotect(state.State.ProtectedAppSecret!))
            : new IdentitySourceRuntime(settings, platform.Value.DefaultMiniProgramAppId, platform.Value.DefaultMiniProgramAppSecret);
        return Task.FromResult<IdentitySourceRuntime?>(runtime);
    }
}

[GenerateSerializer, Alias("ScanLogin.IdentitySourceState")]
public sealed class IdentitySourceState
{
    [Id(0)] public IdentitySourceSettings? Settings { get; set; }
    [Id(1)] public string? ProtectedAppSecret { get; set; }
}
