using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Hosting;

namespace ScanLogin.FunctionalTests.Hosting;

/// <summary>
/// A Development front end on a port of its own, started before any silo of its cluster (as a Kubernetes rollout may
/// start it), over the cluster's TLS; <see cref="StartSiloAsync"/> brings the cluster up later.
/// </summary>
internal sealed class FrontEndFirst : IAsyncDisposable
{
    private readonly int _gatewayPort = TestPorts.FreePort();
    private readonly string _clusterId = "first-" + Guid.NewGuid().ToString("N")[..12];
    private readonly WebApplication _front;
    private readonly Task _starting;
    private IHost? _silo;

    public HttpClient Http { get; }

    public FrontEndFirst(Dictionary<string, string?>? settings = null, Action<WebApplication>? map = null)
    {
        var port = TestPorts.FreePort();
        _front = FrontEndApp.Create(["--environment", "Development"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(Settings);
            if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        });
        map?.Invoke(_front);
        // Not awaited: the cluster client keeps trying to reach a gateway, and the HTTP side answers meanwhile.
        _starting = _front.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    private Dictionary<string, string?> Settings => new(ClusterCertificates.Cluster.Settings)
    {
        ["Orleans:ClusterId"] = _clusterId,
        ["Orleans:GatewayPort"] = _gatewayPort.ToString(),
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>The first answer the front end gives to GET <paramref name="path"/> (it may not listen yet).</summary>
    public async Task<HttpResponseMessage> FirstAnswerAsync(string path, Action<HttpRequestMessage>? prepare = null)
    {
        var errors = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                prepare?.Invoke(request);
                return await Http.SendAsync(request);
            }
            catch (HttpRequestException e)
            {
                errors.Add(e.Message);
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"The front end never answered {path}; last errors: {string.Join(" | ", errors.TakeLast(3))}");
    }

    public async Task StartSiloAsync()
    {
        _silo = SiloBuilder.Create(["--environment", "Development"], builder => builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>(Settings)
            {
                ["Orleans:SiloPort"] = TestPorts.FreePort().ToString(),
                ["ScanLogin:Telemetry:Dashboard"] = "false",
            })).Build();
        await _silo.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _front.StopAsync();
        await _front.DisposeAsync();
        await _starting.ContinueWith(_ => { });
        if (_silo is not null) { await _silo.StopAsync(); _silo.Dispose(); }
    }
}
