using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ScanLogin.Grains;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Hosting;
using ScanLogin.WebFront.Push;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// The whole system, for real: two silos clustered through Redis with grain state and users in PostgreSQL,
/// two front ends (cluster clients) on loopback ports, and the WeChat emulator. PostgreSQL and Redis come
/// from deploy/test.sh (SCANLOGIN_TEST_POSTGRES, SCANLOGIN_TEST_REDIS); without them these tests fail.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    private readonly List<IHost> _silos = [];
    private readonly List<WebApplication> _frontEnds = [];
    private TestSettings _settings = new();

    public static string Postgres => TestServices.Postgres;

    public static string Redis => TestServices.Redis;

    /// <summary>The ticket clock of both silos; the front ends and the emulator keep real time.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public EmulatorHost Emulator { get; private set; } = null!;

    /// <summary>Front end A and front end B: separate hosts, separate cluster clients.</summary>
    public HttpClient A { get; private set; } = null!;

    public HttpClient B { get; private set; } = null!;

    public IGrainFactory Grains => _silos[^1].Services.GetRequiredService<IGrainFactory>();

    public NpgsqlDataSource Database { get; private set; } = null!;

    /// <summary>The one browser origin the platform lets call the admin API (ScanLogin:Admin:AllowedOrigins).</summary>
    public const string AdminConsoleOrigin = "https://console.scanlogin.test";

    /// <summary>A mini-program AppID the platform lets several pools use (ScanLogin:WeChat:SharedMiniProgramAppIds).</summary>
    public const string SharedMiniProgramAppId = "wx00000000005ba7ed";

    /// <summary>The platform operator's API key (the front ends know only its hash).</summary>
    public string PlatformKey { get; } = "slp_test_" + Guid.NewGuid().ToString("N");

    public const string PublicBaseUrl = TestSettings.PublicBaseUrl;

    public const string VerificationFileName = "zUzFRdrlzT.txt";
    public const string VerificationFileContent = "5d1e0c1f2b7a9e3c4d6f8a0b1c2d3e4f";

    public static readonly TimeSpan KeyPropagationDelay = TimeSpan.FromMinutes(10);

    /// <summary>Settings that replace the defaults; set before <see cref="InitializeAsync"/>.</summary>
    public Dictionary<string, string?> Overrides { get; } = [];

    /// <summary>When set, the clock of both front ends' ticket feeds (read freshness, waits, sweeps); else real time.</summary>
    public FakeTimeProvider? FeedTime { get; init; }

    /// <summary>When set, front end A listens on this port, so a public base URL can name it before anything starts.</summary>
    public int? FrontEndAPort { get; set; }

    /// <summary>Every log line of every silo and front end.</summary>
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Database = NpgsqlDataSource.Create(Postgres);
        Emulator = await EmulatorHost.StartAsync();
        var settings = TestSettings.ForCluster(Emulator)
            .With("ScanLogin:Oidc:KeyPropagationDelay", KeyPropagationDelay.ToString())
            // Information everywhere but Orleans: the secret-leak test must see what a production log would hold.
            .WithLogLevel("Default", "Information")
            .WithLogLevel("Orleans", "Warning")
            .WithLogLevel("ScanLogin", "Debug")
            .WithLogLevel("Microsoft.AspNetCore", "Information")
            .WithPlatformKey(PlatformKey)
            .With("ScanLogin:Admin:AllowedOrigins:0", AdminConsoleOrigin)
            .With("ScanLogin:WeChat:SharedMiniProgramAppIds:0", SharedMiniProgramAppId)
            // WeChat's domain verification files (one of WeChat's shape, one not).
            .With($"ScanLogin:MiniProgram:VerificationFiles:{VerificationFileName}", VerificationFileContent)
            .With("ScanLogin:MiniProgram:VerificationFiles:robots.html", "not a verification file")
            // These tests play crowds from one address and one WeChat user on purpose; RateLimitTests covers the limits.
            .WithLiftedRateLimits();

        foreach (var (key, value) in Overrides) settings[key] = value;
        _settings = settings;
        for (var i = 0; i < 2; i++) _silos.Add(await StartSiloAsync());

        await StartFrontEndsAsync();
    }

    private async Task StartFrontEndsAsync()
    {
        foreach (var name in new[] { 'A', 'B' })
        {
            var url = name == 'A' && FrontEndAPort is { } port ? $"http://127.0.0.1:{port}" : "http://127.0.0.1:0";
            var app = await TestHosts.StartFrontEndAsync(_settings, url, builder =>
            {
                builder.Logging.AddProvider(Logs);
                if (FeedTime is { } feedTime) builder.Services.AddSingleton(new FeedClock(feedTime));
            });
            _frontEnds.Add(app);
        }
        A = TestHosts.ClientOf(_frontEnds[0]);
        B = TestHosts.ClientOf(_frontEnds[1]);
        await TestHosts.WaitReadyAsync(A);
        await TestHosts.WaitReadyAsync(B);
    }

    /// <summary>Stops both front ends and starts new ones (new ports: use <see cref="A"/> and <see cref="B"/> afresh).</summary>
    public async Task ReplaceFrontEndsAsync()
    {
        A.Dispose();
        B.Dispose();
        foreach (var app in _frontEnds) { await app.StopAsync(); await app.DisposeAsync(); }
        _frontEnds.Clear();
        await StartFrontEndsAsync();
    }

    /// <summary>An HTTP client of front end A that sends the given bearer key.</summary>
    public HttpClient Operator(string key)
    {
        var client = new HttpClient { BaseAddress = A.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>Stops a silo gracefully (its grains write nothing more and deactivate) and starts a new one in its place.</summary>
    public async Task ReplaceSiloAsync(int index)
    {
        var old = _silos[index];
        await old.StopAsync();
        old.Dispose();
        _silos[index] = await StartSiloAsync();
    }

    private Task<IHost> StartSiloAsync() => TestHosts.StartSiloAsync(_settings, builder =>
    {
        builder.Services.AddSingleton(new ProductClock(Time));
        builder.Logging.AddProvider(Logs);
    });

    /// <summary>A fresh tenant: pool, application (with secret) and an identity source on the emulator's default mini program.</summary>
    public async Task<Tenant> CreateTenantAsync(LoginMode mode = LoginMode.LoginAndRegister, AccountAssociation association = AccountAssociation.Off,
        string[]? allowedOrigins = null)
    {
        var saved = await NewTenant()
            .Pool(browserExchangeDisabled: false, name: "Pool") // these tests exchange as the creating browser
            .Application(origins: allowedOrigins ?? [], name: "Functional test site")
            .IdentitySource(mode, association)
            .SaveAsync(Grains);
        var tenant = new Tenant(saved.PoolId, saved.AppId, saved.AppSecret);
        return tenant;
    }

    /// <summary>A tenant to shape and save (<c>await system.NewTenant()...SaveAsync(system.Grains)</c>): a fresh pool, application and source.</summary>
    public TenantBuilder NewTenant() => new();

    /// <summary>A service of the newest silo (for reading what it keeps, never for acting behind the API's back).</summary>
    public T SiloService<T>() where T : notnull => _silos[^1].Services.GetRequiredService<T>();

    public async Task DisposeAsync()
    {
        A?.Dispose();
        B?.Dispose();
        await TestHosts.StopAsync(_frontEnds, _silos);
        await Emulator.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Waits until both front ends reach the cluster again (after silos were replaced).</summary>
    public async Task WaitFrontEndsReadyAsync()
    {
        await TestHosts.WaitReadyAsync(A);
        await TestHosts.WaitReadyAsync(B);
    }
}

public sealed record Tenant(string PoolId, string AppId, string AppSecret)
{
    public const string Source = TenantBuilder.DefaultSource;
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "system";
}
