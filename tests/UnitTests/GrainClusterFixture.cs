using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using ScanLogin.Grains;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>An in-process Orleans test cluster with memory storage, the real WeChat emulator, and a fake ticket clock.</summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    // Silo configurators are created by type inside the test cluster, so they find these statics.
    private static FakeTimeProvider? s_time;
    private static Uri? s_emulator;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public EmulatorHost Emulator { get; private set; } = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorHost.StartAsync();
        (s_time, s_emulator) = (Time, Emulator.BaseAddress);
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        s_desk = SiloService<TicketDesk>();
    }

    private static TicketDesk? s_desk;

    /// <summary>The silo's ticket desk, for tests that open a ticket under an id of their choosing.</summary>
    public static TicketDesk Desk => s_desk ?? throw new InvalidOperationException("The grain cluster is not deployed.");

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Emulator.DisposeAsync();
    }

    /// <summary>A service of the (only) silo, to look at what the grains stored.</summary>
    public T SiloService<T>() where T : notnull => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<T>();

    /// <summary>Another application of the same pool, with its own valid secret; the pool's identity source is not enabled for it.</summary>
    public async Task<string> AddApplicationAsync(string poolId, string appSecret)
    {
        var appId = "app-" + Guid.NewGuid().ToString("N")[..8];
        await Grains.GetGrain<IApplicationGrain>(appId).SaveAsync(TenantRecords.Application(appId, poolId, name: "Other app"), appSecret);
        return appId;
    }

    /// <summary>A fresh pool with one application and one identity source using the emulator's default mini program.</summary>
    public async Task<(string PoolId, string AppId)> CreateTenantAsync(LoginMode mode = LoginMode.LoginAndRegister,
        AccountAssociation association = AccountAssociation.Off)
    {
        var tenant = await NewTenant().IdentitySource(mode, association).SaveAsync(Grains);
        return (tenant.PoolId, tenant.AppId);
    }

    /// <summary>A tenant to shape and save (<c>await fixture.NewTenant()...SaveAsync(fixture.Grains)</c>); its app secret is "app-secret".</summary>
    public TenantBuilder NewTenant() => new(appSecret: "app-secret");

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(TestSettings.ForGrainCluster(s_emulator!)).Build();
            silo.AddMemoryGrainStorage(StorageNames.Configuration);
            silo.Services.AddSingleton(new ProductClock(s_time!));
            silo.Services.AddScanLoginGrains(configuration);
            silo.Services.AddSingleton<ITicketStore, FailingTicketStore>();
            silo.Services.AddSingleton<Grains.Accounts.IUserStore, RivalUserStore>();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainClusterFixture>
{
    public const string Name = "grain cluster";
}
