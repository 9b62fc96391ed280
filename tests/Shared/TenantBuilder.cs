using ScanLogin.Grains.Interfaces;

namespace ScanLogin.Tests.Shared;

/// <summary>
/// A tenant for a test: a pool, one application (with its secret, allowed origins and callbacks), one identity source
/// on the emulator's default mini program, and optionally a pool API key. Every part has a working default with
/// fresh ids, so a test says only what is special about it:
/// <code>
/// var tenant = await new TenantBuilder().Application(origins: ["https://site.test"])
///     .IdentitySource(association: AccountAssociation.AskBinding).SaveAsync(grains);
/// </code>
/// </summary>
public sealed class TenantBuilder
{
    /// <summary>The identity source's identifier unless a test names another.</summary>
    public const string DefaultSource = "wechat";

    private readonly List<IdentitySourceSettings> _extraSources = [];
    private string? _apiKeyName;
    private string? _sourceSecret;

    public TenantBuilder(string? poolId = null, string? appId = null, string? appSecret = null)
    {
        var pool = poolId ?? "pool-" + Guid.NewGuid().ToString("N")[..8];
        var app = appId ?? "app-" + Guid.NewGuid().ToString("N")[..8];
        PoolSettings = TenantRecords.Pool(pool);
        ApplicationSettings = TenantRecords.Application(app, pool);
        AppSecret = appSecret ?? "app-secret-" + Guid.NewGuid().ToString("N");
        SourceSettings = TenantRecords.IdentitySource(pool, DefaultSource, [app]);
    }

    public UserPoolSettings PoolSettings { get; private set; }

    public ApplicationSettings ApplicationSettings { get; private set; }

    public string AppSecret { get; private set; }

    public IdentitySourceSettings SourceSettings { get; private set; }

    /// <summary>The pool: its name, whether the creating browser may exchange (allowed unless disabled), token lifetime.</summary>
    public TenantBuilder Pool(string? name = null, bool? browserExchangeDisabled = null, int? tokenLifetimeSeconds = null,
        Func<UserPoolSettings, UserPoolSettings>? change = null)
    {
        var pool = PoolSettings;
        if (name is not null) pool = pool with { Name = name };
        if (browserExchangeDisabled is { } disabled) pool = pool with { BrowserExchangeDisabled = disabled };
        if (tokenLifetimeSeconds is { } seconds) pool = pool with { TokenLifetimeSeconds = seconds };
        PoolSettings = change?.Invoke(pool) ?? pool;
        return this;
    }

    /// <summary>The application: the web origins that may open its tickets, the hosted login's callbacks, its name and secret.</summary>
    public TenantBuilder Application(string[]? origins = null, string[]? callbacks = null, string? name = null, string? secret = null,
        Func<ApplicationSettings, ApplicationSettings>? change = null)
    {
        var app = ApplicationSettings;
        if (origins is not null) app = app with { AllowedOrigins = origins };
        if (callbacks is not null) app = app with { CallbackUrls = callbacks };
        if (name is not null) app = app with { Name = name };
        if (secret is not null) AppSecret = secret;
        ApplicationSettings = change?.Invoke(app) ?? app;
        return this;
    }

    /// <summary>
    /// The identity source: its account policy, identifier and display name, whether it is enabled, and a private
    /// deployment's own mini program (AppID and secret); <paramref name="change"/> for anything else.
    /// </summary>
    public TenantBuilder IdentitySource(LoginMode? mode = null, AccountAssociation? association = null, string? identifier = null,
        string? displayName = null, bool? enabled = null, string? miniProgramAppId = null, string? miniProgramAppSecret = null,
        TimeSpan? ticketLifetime = null, Func<IdentitySourceSettings, IdentitySourceSettings>? change = null)
    {
        var source = SourceSettings;
        if (mode is { } m) source = source with { LoginMode = m };
        if (association is { } a) source = source with { Association = a };
        if (identifier is not null) source = source with { Identifier = identifier };
        if (displayName is not null) source = source with { DisplayName = displayName };
        if (enabled is { } e) source = source with { Enabled = e };
        if (miniProgramAppId is not null) source = source with { PrivateDeployment = true, MiniProgramAppId = miniProgramAppId };
        if (ticketLifetime is { } lifetime) source = source with { TicketLifetime = lifetime };
        _sourceSecret = miniProgramAppSecret ?? _sourceSecret;
        SourceSettings = change?.Invoke(source) ?? source;
        return this;
    }

    /// <summary>One more identity source of the pool, enabled for the application (the first one's defaults otherwise).</summary>
    public TenantBuilder AnotherIdentitySource(string identifier, string? displayName = null, LoginMode mode = LoginMode.LoginAndRegister,
        AccountAssociation association = AccountAssociation.Off, bool enabled = true)
    {
        _extraSources.Add(TenantRecords.IdentitySource(PoolSettings.PoolId, identifier, [ApplicationSettings.AppId], mode, association)
            with { DisplayName = displayName ?? identifier, Enabled = enabled });
        return this;
    }

    /// <summary>Also creates a pool API key (the operator's key for this pool's admin API).</summary>
    public TenantBuilder ApiKey(string name = "tests")
    {
        _apiKeyName = name;
        return this;
    }

    /// <summary>Stores the pool, the application and the source(s) as the system does (seeding), and the API key if asked for.</summary>
    public async Task<TestTenant> SaveAsync(IGrainFactory grains)
    {
        var pool = PoolSettings;
        var app = ApplicationSettings with { PoolId = pool.PoolId };
        var source = SourceSettings with { PoolId = pool.PoolId };
        await grains.GetGrain<IUserPoolGrain>(pool.PoolId).SaveSettingsAsync(pool);
        await grains.GetGrain<IApplicationGrain>(app.AppId).SaveAsync(app, AppSecret);
        foreach (var s in (IdentitySourceSettings[])[source, .. _extraSources])
            await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(pool.PoolId, s.Identifier))
                .SaveAsync(s, ReferenceEquals(s, source) ? _sourceSecret : null);
        string? apiKey = null;
        if (_apiKeyName is { } name)
        {
            var created = await grains.GetGrain<IUserPoolGrain>(pool.PoolId).CreateApiKeyAsync(name, Actor.System);
            apiKey = created.Value?.Value ?? throw new InvalidOperationException($"The pool API key was refused: {created.Failure}");
        }
        return new TestTenant(pool, app, AppSecret, source, apiKey);
    }
}

/// <summary>A stored tenant: its ids, the application's secret, the records as saved, and the pool API key if one was made.</summary>
public sealed record TestTenant(UserPoolSettings Pool, ApplicationSettings Application, string AppSecret, IdentitySourceSettings Source,
    string? ApiKey)
{
    public string PoolId => Pool.PoolId;

    public string AppId => Application.AppId;

    public string SourceId => Source.Identifier;

    public override string ToString() => $"TestTenant {{ {PoolId}, {AppId}, {SourceId} }}";
}

/// <summary>The configuration records with every field a test does not care about at its default; change the rest with <c>with</c>.</summary>
public static class TenantRecords
{
    public static UserPoolSettings Pool(string poolId, string name = "Test pool") => new(poolId, name);

    public static ApplicationSettings Application(string appId, string poolId, string[]? origins = null, string[]? callbacks = null,
        string name = "Test app") => new(appId, poolId, name, null, origins ?? [], callbacks ?? []);

    /// <summary>An enabled source on the platform's default mini program, open to <paramref name="applicationIds"/>.</summary>
    public static IdentitySourceSettings IdentitySource(string poolId, string identifier, string[] applicationIds,
        LoginMode mode = LoginMode.LoginAndRegister, AccountAssociation association = AccountAssociation.Off) =>
        new(poolId, identifier, "WeChat", CallbackUrl: null, Enabled: true, PrivateDeployment: false, MiniProgramAppId: null, mode, association,
            IdentitySourceSettings.DefaultTicketLifetime, applicationIds);
}
