using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.RateLimits;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Hosting;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// A cluster of its own for the production shape: one silo and two front ends on PostgreSQL and Redis, with the
/// platform's default limits (the shared fixture's tests would trip them), a few per-pool and per-application
/// overrides, a fake clock for the limiter buckets only, the silo's metrics on a port and front end B's on another.
/// </summary>
public sealed class RateLimitFixture : IAsyncLifetime
{
    // Per run: the ids name configuration overrides, and a database kept from an earlier run already holds these applications.
    private static readonly string Run = Guid.NewGuid().ToString("N")[..6];
    public static readonly string IpLimitedApp = "rl-ip-app-" + Run;
    public static readonly string PoolLimitedPool = "rl-pool-" + Run;
    public static readonly string PhoneLimitedApp = "rl-phone-app-" + Run;
    public static readonly string AuthingLimitedApp = "rl-authing-app-" + Run;
    public static readonly string SlowPollApp = "rl-slow-poll-app-" + Run;
    public static readonly string BindingLimitedApp = "rl-binding-app-" + Run;
    public static readonly string TokenLimitedApp = "rl-token-app-" + Run;
    public static readonly string AuthorizeLimitedApp = "rl-authorize-app-" + Run;
    public static readonly string PacedApp = "rl-paced-app-" + Run;
    public const int MaxWaitsPerClientIp = 4;
    public static readonly string MiniLoginIpLimitedApp = "rl-mini-ip-app-" + Run;
    public static readonly string MiniLoginAppLimitedApp = "rl-mini-app-app-" + Run;
    public static readonly string WeChatLinkLimitedApp = "rl-link-app-" + Run;

    private IHost _silo = null!;
    private readonly List<WebApplication> _frontEnds = [];

    public FakeTimeProvider LimiterTime { get; } = new(DateTimeOffset.UtcNow);
    public EmulatorHost Emulator { get; private set; } = null!;
    public HttpClient A { get; private set; } = null!;
    public HttpClient B { get; private set; } = null!;
    public IGrainFactory Grains => _silo.Services.GetRequiredService<IGrainFactory>();
    /// <summary>Front end A's open long-polls and event streams of one address (its cap is per address and front end).</summary>
    public int OpenWaitsOnA(string clientKey) => _frontEnds[0].Services.GetRequiredService<ScanLogin.WebFront.Push.OpenWaits>().OpenOf(clientKey);
    public string PlatformKey { get; } = "slp_rl_" + Guid.NewGuid().ToString("N");
    public int SiloMetricsPort { get; } = TestPorts.FreePort();
    public int MetricsPortOfB { get; } = TestPorts.FreePort();

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorHost.StartAsync();
        var settings = TestSettings.ForCluster(Emulator, "rl").WithLogLevel("Default", "Warning").WithPlatformKey(PlatformKey)
            .With(new Dictionary<string, string?>
        {
            // Per application: three tickets per address, barely refilled.
            [$"ScanLogin:RateLimits:Applications:{IpLimitedApp}:TicketsPerClientIp:Burst"] = "3",
            [$"ScanLogin:RateLimits:Applications:{IpLimitedApp}:TicketsPerClientIp:PerMinute"] = "0.01",
            // Per pool: two tickets per application whatever the address.
            [$"ScanLogin:RateLimits:Pools:{PoolLimitedPool}:TicketsPerApplication:Burst"] = "2",
            [$"ScanLogin:RateLimits:Pools:{PoolLimitedPool}:TicketsPerApplication:PerMinute"] = "0.01",
            // Per application: two phone attempts per WeChat user.
            [$"ScanLogin:RateLimits:Applications:{PhoneLimitedApp}:PhoneAttemptsPerWeChatUser:Burst"] = "2",
            [$"ScanLogin:RateLimits:Applications:{PhoneLimitedApp}:PhoneAttemptsPerWeChatUser:PerMinute"] = "0.01",
            // The other APIs' hooks, one application each (their buckets count per application and address).
            [$"ScanLogin:RateLimits:Applications:{AuthingLimitedApp}:TicketsPerClientIp:Burst"] = "2",
            [$"ScanLogin:RateLimits:Applications:{AuthingLimitedApp}:TicketsPerClientIp:PerMinute"] = "0.01",
            // Status reads: three, then one every 2 s (the bucket learns the ticket's application from the ticket).
            [$"ScanLogin:RateLimits:Applications:{SlowPollApp}:StatusReadsPerTicket:Burst"] = "3",
            [$"ScanLogin:RateLimits:Applications:{SlowPollApp}:StatusReadsPerTicket:PerMinute"] = "30",
            [$"ScanLogin:RateLimits:Applications:{BindingLimitedApp}:BindingAttemptsPerClientIp:Burst"] = "2",
            [$"ScanLogin:RateLimits:Applications:{BindingLimitedApp}:BindingAttemptsPerClientIp:PerMinute"] = "0.01",
            [$"ScanLogin:RateLimits:Applications:{TokenLimitedApp}:TokenRequestsPerClientIp:Burst"] = "2",
            [$"ScanLogin:RateLimits:Applications:{TokenLimitedApp}:TokenRequestsPerClientIp:PerMinute"] = "0.01",
            [$"ScanLogin:RateLimits:Applications:{AuthorizeLimitedApp}:TicketsPerClientIp:Burst"] = "1",
            [$"ScanLogin:RateLimits:Applications:{AuthorizeLimitedApp}:TicketsPerClientIp:PerMinute"] = "0.01",
            // One ticket, then one every 60/7 s (8.571 s): a wait with a fraction, to see how it is rounded.
            [$"ScanLogin:RateLimits:Applications:{PacedApp}:TicketsPerClientIp:Burst"] = "1",
            [$"ScanLogin:RateLimits:Applications:{PacedApp}:TicketsPerClientIp:PerMinute"] = "7",
            // Open long-polls and event streams per address and front end (default 50).
            ["ScanLogin:Feed:MaxWaitsPerClientIp"] = MaxWaitsPerClientIp.ToString(),
            [$"ScanLogin:RateLimits:Applications:{MiniLoginIpLimitedApp}:MiniProgramLoginsPerClientIp:Burst"] = "2",
            [$"ScanLogin:RateLimits:Applications:{MiniLoginIpLimitedApp}:MiniProgramLoginsPerClientIp:PerMinute"] = "0.01",
            [$"ScanLogin:RateLimits:Applications:{MiniLoginAppLimitedApp}:MiniProgramLoginsPerApplication:Burst"] = "3",
            [$"ScanLogin:RateLimits:Applications:{MiniLoginAppLimitedApp}:MiniProgramLoginsPerApplication:PerMinute"] = "0.01",
            // "Open in WeChat" links: per address (no application is known before the ticket is read), and per application.
            ["ScanLogin:RateLimits:Defaults:WeChatLinksPerClientIp:Burst"] = "3",
            ["ScanLogin:RateLimits:Defaults:WeChatLinksPerClientIp:PerMinute"] = "0.01",
            [$"ScanLogin:RateLimits:Applications:{WeChatLinkLimitedApp}:WeChatLinksPerApplication:Burst"] = "1",
            [$"ScanLogin:RateLimits:Applications:{WeChatLinkLimitedApp}:WeChatLinksPerApplication:PerMinute"] = "0.01",
        });
        _silo = await TestHosts.StartSiloAsync(settings, b =>
        {
            b.Services.AddSingleton(new RateLimitClock(LimiterTime));
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ScanLogin:Telemetry:MetricsPort"] = SiloMetricsPort.ToString() });
        });
        for (var i = 0; i < 2; i++)
        {
            var second = i == 1;
            var urls = second ? $"http://127.0.0.1:0;http://127.0.0.1:{MetricsPortOfB}" : "http://127.0.0.1:0";
            var app = await TestHosts.StartFrontEndAsync(settings, urls, b =>
            {
                // The front ends spend leased permits and remember refusals by the same clock as the buckets.
                b.Services.AddSingleton(new RateLimitClock(LimiterTime));
                if (second) b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ScanLogin:Telemetry:MetricsPort"] = MetricsPortOfB.ToString() });
            });
            _frontEnds.Add(app);
        }
        A = TestHosts.ClientOf(_frontEnds[0]);
        B = TestHosts.ClientOf(_frontEnds[1], _frontEnds[1].Urls.First(u => !u.EndsWith($":{MetricsPortOfB}")));
        foreach (var client in new[] { A, B }) await TestHosts.WaitReadyAsync(client);
    }

    /// <summary>A pool, an application and an identity source on the emulator's default mini program.</summary>
    public async Task<Tenant> CreateTenantAsync(string? appId = null, string? poolId = null, string[]? callbackUrls = null)
    {
        var saved = await new TenantBuilder(poolId, appId, "secret-" + Guid.NewGuid().ToString("N"))
            .Pool(name: "Pool").Application(name: "Site", callbacks: callbackUrls ?? []).SaveAsync(Grains);
        var tenant = new Tenant(saved.PoolId, saved.AppId, saved.AppSecret);
        return tenant;
    }

    public async Task DisposeAsync()
    {
        A?.Dispose();
        B?.Dispose();
        await TestHosts.StopAsync(_frontEnds, _silo is null ? [] : [_silo]);
        await Emulator.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ProductionCollection : ICollectionFixture<RateLimitFixture>
{
    public const string Name = "production";
}
