using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Hosting;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Hosting;

/// <summary>
/// The cluster's ports answer only hosts holding a certificate of the cluster's authority (mutual TLS): a real silo
/// on loopback, and cluster clients built the way the front end builds its own, with and without the certificate.
/// </summary>
public sealed class ClusterTlsTests : IAsyncLifetime
{
    private readonly int _gatewayPort = TestPorts.FreePort();
    private readonly string _clusterId = "tls-" + Guid.NewGuid().ToString("N")[..12];
    private IHost _silo = null!;

    public async Task InitializeAsync()
    {
        _silo = SiloBuilder.Create(["--environment", "Development"], builder => builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>(ClusterCertificates.Cluster.Settings)
            {
                ["Orleans:ClusterId"] = _clusterId,
                ["Orleans:SiloPort"] = TestPorts.FreePort().ToString(),
                ["Orleans:GatewayPort"] = _gatewayPort.ToString(),
                ["ScanLogin:Telemetry:Dashboard"] = "false",
            })).Build();
        await _silo.StartAsync();
        await _silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserPoolGrain>("tls-pool")
            .SaveSettingsAsync(new UserPoolSettings("tls-pool", "Reachable only over TLS"));
    }

    public async Task DisposeAsync()
    {
        await _silo.StopAsync();
        _silo.Dispose();
    }

    [Fact]
    public async Task A_client_with_the_clusters_certificate_calls_a_grain()
    {
        var settings = await CallAsync(ClusterCertificates.Cluster.Settings);
        Assert.Equal("Reachable only over TLS", settings.Name);
    }

    [Fact]
    public async Task A_client_without_a_certificate_cannot_call_a_grain()
    {
        // The gateway waits for a TLS handshake that never comes: the client never connects, nor reads the pool.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CallAsync(new Dictionary<string, string?>(), TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task A_client_with_a_certificate_of_another_authority_cannot_call_a_grain()
    {
        var stranger = ClusterCertificates.Create("stranger");
        // The stranger trusts the cluster's authority, so only the silo's check of the client's certificate can refuse it.
        var settings = new Dictionary<string, string?>(stranger.Settings) { ["Orleans:Tls:CertificateAuthorityPath"] = ClusterCertificates.Cluster.AuthorityPath };
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => CallAsync(settings));
        Assert.False(refused is OperationCanceledException or TimeoutException, $"refused only by waiting: {refused}");
    }

    [Fact]
    public void A_certificate_not_signed_by_the_configured_authority_stops_the_host_at_start()
    {
        var stranger = ClusterCertificates.Create("stranger");
        var error = Assert.Throws<InvalidOperationException>(() => ClusterTls.Load(new ClusterTlsOptions
        {
            CertificatePath = stranger.CertificatePath, KeyPath = stranger.KeyPath, CertificateAuthorityPath = ClusterCertificates.Cluster.AuthorityPath,
        }));
        Assert.Contains("Orleans:Tls:CertificateAuthorityPath", error.Message);
    }

    /// <summary>Starts a cluster client as the front end configures one (<see cref="ClusterTls.UseClusterTls(IClientBuilder, IConfiguration)"/>) and reads a pool.</summary>
    private async Task<UserPoolSettings> CallAsync(IReadOnlyDictionary<string, string?> tls, TimeSpan? within = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(tls);
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(_gatewayPort, "scanlogin", _clusterId);
            client.UseClusterTls(builder.Configuration);
        });
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(60));
        try
        {
            await host.StartAsync(timeout.Token);
            var pool = host.Services.GetRequiredService<IClusterClient>().GetGrain<IUserPoolGrain>("tls-pool");
            return await pool.GetSettingsAsync().WaitAsync(timeout.Token) ?? throw new InvalidOperationException("the pool was not found");
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
