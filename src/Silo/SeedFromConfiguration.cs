using ScanLogin.Grains.Interfaces;

namespace ScanLogin.Silo;

/// <summary>
/// Creates the pool, application and identity source named in "ScanLogin:Seed", if any, once the silo runs.
/// The run command uses it for its demo; saving the same values again changes nothing.
/// </summary>
internal sealed class SeedFromConfiguration(IGrainFactory grains, IConfiguration configuration, ILogger<SeedFromConfiguration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var seed = configuration.GetSection(SeedOptions.Section).Get<SeedOptions>();
        if (seed?.PoolId is not { Length: > 0 } poolId) return;

        await grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(
            new UserPoolSettings(poolId, seed.PoolName, BrowserExchangeDisabled: !seed.BrowserExchange, SessionEnabled: seed.SessionEnabled));
        await grains.GetGrain<IApplicationGrain>(seed.AppId).SaveAsync(
            new ApplicationSettings(seed.AppId, poolId, seed.AppName, null, seed.AllowedOrigins, seed.CallbackUrls), seed.AppSecret);
        string[] appIds = [seed.AppId];
        if (seed.SecondAppId is { Length: > 0 } secondAppId)
        {
            await grains.GetGrain<IApplicationGrain>(secondAppId).SaveAsync(new ApplicationSettings(secondAppId, poolId, seed.SecondAppName, null,
                seed.SecondAppAllowedOrigins, seed.SecondAppCallbackUrls), seed.SecondAppSecret);
            appIds = [seed.AppId, secondAppId];
        }
        var source = new IdentitySourceSettings(poolId, seed.IdentitySource, seed.IdentitySourceName, null, Enabled: true,
            PrivateDeployment: seed.MiniProgramAppId is { Length: > 0 }, seed.MiniProgramAppId, LoginMode.LoginAndRegister,
            AccountAssociation.Off, seed.TicketLifetime, appIds);
        var sourceGrain = grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, seed.IdentitySource));
        await sourceGrain.SaveAsync(source, seed.MiniProgramAppSecret);
        if (seed.LogoPath is { Length: > 0 } path && await sourceGrain.SetLogoAsync(await File.ReadAllBytesAsync(path, cancellationToken)) is { Failure: { } bad })
            logger.LogWarning("The seed logo {Path} was refused: {Reason}", path, bad.Message);
        logger.LogInformation("Seeded pool {PoolId} with application {AppId} and identity source {IdentitySource}", poolId, seed.AppId, seed.IdentitySource);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A demo tenant to create at start-up (section "ScanLogin:Seed").</summary>
public sealed class SeedOptions
{
    public const string Section = "ScanLogin:Seed";

    public string? PoolId { get; set; }
    public string PoolName { get; set; } = "Demo pool";
    /// <summary>May the creating browser exchange tickets itself (the demo page does)? Off by default, like every new pool.</summary>
    public bool BrowserExchange { get; set; }
    public string AppId { get; set; } = "demo-app";
    public string AppName { get; set; } = "Demo site";
    public string? AppSecret { get; set; }
    public string[] AllowedOrigins { get; set; } = [];
    /// <summary>Where the hosted OpenID Connect login may send the browser back (the run command's sample site).</summary>
    public string[] CallbackUrls { get; set; } = [];
    public string IdentitySource { get; set; } = "wechat-scan";
    public string IdentitySourceName { get; set; } = "WeChat scan";
    public string? MiniProgramAppId { get; set; }
    public string? MiniProgramAppSecret { get; set; }
    public string? LogoPath { get; set; }
    public TimeSpan TicketLifetime { get; set; } = IdentitySourceSettings.DefaultTicketLifetime;
    /// <summary>Does the pool keep a hosted-login session (single sign-on across its applications)? Off by default, like every new pool.</summary>
    public bool SessionEnabled { get; set; }
    /// <summary>A second application of the pool (the run command's second sample site, to show single sign-on).</summary>
    public string? SecondAppId { get; set; }
    public string SecondAppName { get; set; } = "Second demo site";
    public string? SecondAppSecret { get; set; }
    public string[] SecondAppAllowedOrigins { get; set; } = [];
    public string[] SecondAppCallbackUrls { get; set; } = [];
}
