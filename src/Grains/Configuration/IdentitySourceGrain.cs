using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.QrCodes;

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
        // The logo is set on its own; saving the other settings keeps it.
        state.State = new IdentitySourceState
        {
            Settings = settings with { LogoHash = state.State.Settings?.LogoHash },
            ProtectedAppSecret = protectedSecret,
            Logo = state.State.Logo,
        };
        await state.WriteStateAsync();
    }

    async Task<Outcome<string?>> IIdentitySourceGrain.SetLogoAsync(byte[]? image)
    {
        if (state.State.Settings is not { } settings)
            return new Failure(FailureCodes.IdentitySourceNotFound, $"Identity source {this.GetPrimaryKeyString()} does not exist.");
        byte[]? logo = null;
        if (image is not null)
        {
            var normalized = LogoImage.Normalize(image);
            if (normalized.Value is null) return normalized.Failure!;
            logo = normalized.Value;
        }
        var hash = logo is null ? null : Secrets.Base64Url(SHA256.HashData(logo))[..16];
        state.State = new IdentitySourceState { Settings = settings with { LogoHash = hash }, ProtectedAppSecret = state.State.ProtectedAppSecret, Logo = logo };
        await state.WriteStateAsync();
        return hash;
    }

    Task<byte[]?> IIdentitySourceGrain.GetLogoAsync() => Task.FromResult(state.State.Logo);

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
    [Id(2)] public byte[]? Logo { get; set; }
}
