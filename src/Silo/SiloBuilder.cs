using System.Net;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using ScanLogin.Grains;
using ScanLogin.Grains.Storage;
using ScanLogin.Hosting;
using ScanLogin.Silo.Hosting;

namespace ScanLogin.Silo;

/// <summary>
/// Builds a silo host. In Development with no configuration: localhost clustering and in-memory storage (elsewhere
/// that refuses to start, see <see cref="ProductionGuard"/>). With ConnectionStrings:Redis, Redis clustering and tickets
/// in Redis; with ConnectionStrings:PostgreSQL, ADO.NET grain storage (configuration) and users in PostgreSQL.
/// </summary>
public static class SiloBuilder
{
    /// <summary>What a silo needs outside Development (see <see cref="ProductionGuard"/>).</summary>
    public static readonly ProductionGuard.Requirement[] RequiredOutsideDevelopment =
    [
        ProductionGuard.ConnectionString("PostgreSQL", "it would keep grain state and users in memory, lost at the next restart"),
        ProductionGuard.ConnectionString("Redis", "it would cluster with itself alone and keep tickets in memory"),
        ClusterTls.Requirement,
        new("ScanLogin:Oidc:PublicBaseUrl", c => !string.IsNullOrWhiteSpace(c["ScanLogin:Oidc:PublicBaseUrl"]),
            "the pools' issuers and every URL in their discovery documents would name http://127.0.0.1:5000"),
    ];

    public static HostApplicationBuilder Create(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        // Content root = the build output, so appsettings*.json are found whatever the working directory.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var configuration = builder.Configuration;
        ProductionGuard.EnsureConfigured(builder.Environment, configuration, "silo", RequiredOutsideDevelopment);
        var postgres = configuration.GetConnectionString(DatabaseMigrator.ConnectionStringName);

        builder.Services.AddScanLoginGrains(configuration);
        // Registered before Orleans so the schema exists before any grain reads its state.
        if (postgres is { Length: > 0 }) builder.Services.AddHostedService<MigrateDatabaseOnStart>();
        builder.Services.AddHostedService<KeyRingCheck>();

        builder.AddSiloTelemetry();
        builder.UseOrleans(silo =>
        {
            silo.AddSiloObservability(configuration);
            silo.AddIncomingGrainCallFilter<ScanLogin.Grains.Storage.StorageFaultFilter>();
            var options = configuration.GetSection(ClusterHostOptions.Section).Get<ClusterHostOptions>() ?? new();
            silo.AddOutgoingGrainCallFilter<ScanLogin.Grains.Interfaces.GrainKeyGuard>();
            silo.UseClusterTls(configuration);
            if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
            {
                silo.UseRedisClustering(redis);
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
                silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedAddress), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            }

            // In Kubernetes: identity and endpoints from the pod, and silos of deleted pods declared dead at once.
            if (configuration.GetValue<bool>("Orleans:KubernetesHosting")) silo.UseKubernetesHosting();

            if (postgres is { Length: > 0 })
            {
                // Orleans' binary serializer, not the JSON default: versioned by [Id], compact, and no type names in the data.
                silo.AddAdoNetGrainStorage(StorageNames.Configuration, o => o.Configure<Serializer>((options, serializer) =>
                {
                    (options.Invariant, options.ConnectionString) = ("Npgsql", postgres);
                    options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            }
            else
            {
                silo.AddMemoryGrainStorage(StorageNames.Configuration);
            }
        });
        builder.Services.AddHostedService<SeedFromConfiguration>();
        return builder;
    }
}

/// <summary>Where this silo listens and which cluster it joins (section "Orleans").</summary>
public sealed class ClusterHostOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "scanlogin";
    public string ServiceId { get; set; } = "scanlogin";
    public string AdvertisedAddress { get; set; } = "127.0.0.1";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
}

/// <summary>Brings the PostgreSQL schema up to date before the silo starts.</summary>
internal sealed class MigrateDatabaseOnStart(DatabaseMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
