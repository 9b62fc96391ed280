using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ScanLogin.Silo;
using ScanLogin.WebFront.Hosting;

namespace ScanLogin.Tests.Shared;

/// <summary>
/// Starts the real hosts a functional test runs against: a silo (<see cref="SiloBuilder"/>) and a front end
/// (<see cref="FrontEndApp"/>) on loopback, configured from <see cref="TestSettings"/>; and waits until a front end
/// reaches the cluster, saying what it last answered when it does not.
/// (Compiled into the test projects that reference the Silo project: tests/Shared/Hosts.)
/// </summary>
public static class TestHosts
{
    /// <summary>A started silo on free ports (unless the settings name them); <paramref name="configure"/> adds services or settings.</summary>
    public static async Task<IHost> StartSiloAsync(IReadOnlyDictionary<string, string?> settings, Action<HostApplicationBuilder>? configure = null)
    {
        var ports = new TestSettings().WithFreeSiloPorts();
        var silo = SiloBuilder.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            if (!settings.ContainsKey("Orleans:SiloPort")) builder.Configuration.AddInMemoryCollection(ports);
            configure?.Invoke(builder);
        }).Build();
        await silo.StartAsync();
        return silo;
    }

    /// <summary>A started front end listening on <paramref name="urls"/> (a free loopback port by default).</summary>
    public static async Task<WebApplication> StartFrontEndAsync(IReadOnlyDictionary<string, string?> settings,
        string urls = "http://127.0.0.1:0", Action<WebApplicationBuilder>? configure = null)
    {
        var app = FrontEndApp.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls(urls);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>An HTTP client of a started front end (its first address unless <paramref name="url"/> picks one).</summary>
    public static HttpClient ClientOf(WebApplication frontEnd, string? url = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(url ?? frontEnd.Urls.First()) };
        if (timeout is { } t) client.Timeout = t;
        return client;
    }

    /// <summary>Waits until /readyz answers 200 (the front end reaches a silo); the timeout says what it answered last.</summary>
    public static async Task WaitReadyAsync(HttpClient client, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var answer = await client.GetAsync("/readyz");
                if (answer.IsSuccessStatusCode) return;
                last = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{client.BaseAddress} never became ready; /readyz last answered: {last}");
    }

    /// <summary>Stops and disposes hosts, front ends first, ignoring those never started.</summary>
    public static async Task StopAsync(IEnumerable<WebApplication> frontEnds, IEnumerable<IHost> silos)
    {
        foreach (var app in frontEnds) { await app.StopAsync(); await app.DisposeAsync(); }
        foreach (var silo in silos) { await silo.StopAsync(); silo.Dispose(); }
    }
}
