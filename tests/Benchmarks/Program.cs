using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Hosting;

// `load` drives a running cluster (deploy/cluster.sh) with sustained logins, optionally through a fault.
if (args is ["load", ..])
{
    Environment.ExitCode = await ScanLogin.Benchmarks.Load.RunAsync(args[1..]);
    return;
}

// `qr` runs the image benchmarks and `tokens` the token signing benchmarks (BenchmarkDotNet); anything else the system benchmark below.
if (args is ["qr", ..])
{
    BenchmarkDotNet.Running.BenchmarkRunner.Run<ScanLogin.Benchmarks.QrRenderingBenchmarks>(args: args[1..]);
    return;
}
if (args is ["tokens", ..])
{
    BenchmarkDotNet.Running.BenchmarkRunner.Run<ScanLogin.Benchmarks.TokenSigningBenchmarks>(args: args[1..]);
    return;
}
// `login FRONT EMULATOR APP SOURCE ORIGIN SECONDS CLIENTS`: full logins per second against running processes (deploy/bench.sh http).
if (args is ["login", var frontUrl, var emulatorUrl, var appId, var sourceId, var origin, var loginSeconds, var loginClients])
{
    await ScanLogin.Benchmarks.LoginRate.RunAsync(new Uri(frontUrl), new Uri(emulatorUrl), appId, sourceId, origin, int.Parse(loginSeconds), int.Parse(loginClients));
    return;
}

// `browsers FRONT EMULATOR APP SOURCE ORIGIN COUNT WARMUP SAMPLES`: the browsers' process of deploy/bench.sh waiters.
if (args is ["browsers", var browsersFront, var browsersEmulator, var browsersApp, var browsersSource, var browsersOrigin, var browserCount, var browserWarmUp, var browserSamples])
{
    await ScanLogin.Benchmarks.Browsers.RunAsync(new Uri(browsersFront), new Uri(browsersEmulator), browsersApp, browsersSource, browsersOrigin,
        int.Parse(browserCount), int.Parse(browserWarmUp), int.Parse(browserSamples));
    return;
}

// Ticket throughput and confirm-to-browser latency through the real front end, silo, PostgreSQL and Redis.
// Run with deploy/bench.sh, which starts PostgreSQL and Redis and passes their addresses.
// `accounts [people] [clients] [phone]`: new accounts and returning logins per second (NewAccounts.cs).
var accountsMode = args is ["accounts", ..];
if (accountsMode) args = args[1..];
var seconds = args.Length > 0 && !accountsMode ? int.Parse(args[0]) : 10;
var concurrency = args.Length > 1 ? int.Parse(args[1]) : 64;
var samples = args.Length > 2 ? int.Parse(args[2]) : 300;

var postgres = TestServices.Postgres;
var redis = TestServices.Redis;

await using var emulator = await EmulatorHost.StartAsync();
var settings = new Dictionary<string, string?>
{
    ["ConnectionStrings:PostgreSQL"] = postgres,
    ["ConnectionStrings:Redis"] = redis,
    ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
    ["Orleans:SiloPort"] = TestPorts.FreePort().ToString(),
    ["Orleans:GatewayPort"] = TestPorts.FreePort().ToString(),
    ["ScanLogin:Keys:SecretEncryptionKey"] = Convert.ToBase64String(new byte[32]),
    ["ScanLogin:WeChat:DefaultMiniProgramAppId"] = EmulatorHost.AppId,
    ["ScanLogin:WeChat:DefaultMiniProgramAppSecret"] = EmulatorHost.AppSecret,
    ["WeChat:BaseAddress"] = emulator.BaseAddress.ToString(),
    ["Logging:LogLevel:Default"] = "Warning",
    ["ScanLogin:Oidc:PublicBaseUrl"] = "https://login.scanlogin.test",
};
foreach (var (key, value) in ClusterCertificates.Cluster.Settings) settings[key] = value;
// The load comes from one address and a crowd of emulated users: lift every abuse limit (the limiters still run),
// so the figures measure the engine, not the limits.
foreach (var (key, value) in RateLimitOptions.LiftedSettings) settings[key] = value;
using var silo = SiloBuilder.Create([], b => b.Configuration.AddInMemoryCollection(settings)).Build();
await silo.StartAsync();
await using var front = FrontEndApp.Create([], b =>
{
    b.Configuration.AddInMemoryCollection(settings);
    b.WebHost.UseUrls("http://127.0.0.1:0");
});
await front.StartAsync();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri(front.Urls.First()) };
while (!(await http.GetAsync("/readyz")).IsSuccessStatusCode) await Task.Delay(100);

var grains = silo.Services.GetRequiredService<IGrainFactory>();
await new TenantBuilder("bench", "bench-app", "secret").Pool(name: "Bench").Application(name: "Bench").SaveAsync(grains);
var create = new { appId = "bench-app", identitySource = "wechat" };
// The benchmark creates tickets as the application's backend: no browser Origin, so with the application's credentials.
http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("bench-app:secret")));

if (accountsMode)
{
    await ScanLogin.Benchmarks.NewAccounts.RunAsync(http, grains, emulator, postgres, args);
    await front.StopAsync();
    await silo.StopAsync();
    return;
}

// Warm-up, then tickets created per second with `concurrency` clients in a closed loop. Meanwhile one more client
// times confirm-to-browser latency, so that figure is known under load as well as on the idle system afterwards.
for (var i = 0; i < 200; i++) (await http.PostAsJsonAsync("/api/tickets", create)).EnsureSuccessStatusCode();
var created = 0L;
var createLatencies = new System.Collections.Concurrent.ConcurrentBag<double>();
var stop = Stopwatch.StartNew();
var underLoad = Task.Run(() => ConfirmLatencyAsync(int.MaxValue, () => stop.Elapsed < TimeSpan.FromSeconds(seconds)));
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (stop.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        var started = stop.Elapsed;
        (await http.PostAsJsonAsync("/api/tickets", create)).EnsureSuccessStatusCode();
        createLatencies.Add((stop.Elapsed - started).TotalMilliseconds);
        Interlocked.Increment(ref created);
    }
}));
var perSecond = created / stop.Elapsed.TotalSeconds;
var createSorted = createLatencies.ToList();
var (heardUnderLoad, roundTripUnderLoad) = await underLoad;
var (heardAfterConfirmSent, confirmRoundTrip) = await ConfirmLatencyAsync(samples, () => true);

Console.WriteLine($"machine: {Environment.ProcessorCount} cores; one silo + one front end in one process; PostgreSQL and Redis on loopback");
Console.WriteLine($"tickets created: {created} in {stop.Elapsed.TotalSeconds:F1} s with {concurrency} concurrent clients = {perSecond:F0} tickets/s");
Console.WriteLine($"ticket creation latency: p50 {Percentile(createSorted, 50):F1} ms, p99 {Percentile(createSorted, 99):F1} ms, max {createSorted.Max():F0} ms");
Console.WriteLine($"confirm -> browser heard (from confirm sent), during the creation load, {heardUnderLoad.Count} samples: " +
                  $"p50 {Percentile(heardUnderLoad, 50):F1} ms, p99 {Percentile(heardUnderLoad, 99):F1} ms");
Console.WriteLine($"confirm round trip (phone's view), during the creation load, {roundTripUnderLoad.Count} samples: " +
                  $"p50 {Percentile(roundTripUnderLoad, 50):F1} ms, p99 {Percentile(roundTripUnderLoad, 99):F1} ms");
Console.WriteLine($"confirm -> browser heard (from confirm sent), idle system after the load, {samples} samples: " +
                  $"p50 {Percentile(heardAfterConfirmSent, 50):F1} ms, p99 {Percentile(heardAfterConfirmSent, 99):F1} ms");
Console.WriteLine($"confirm round trip (phone's view), idle system after the load, {samples} samples: " +
                  $"p50 {Percentile(confirmRoundTrip, 50):F1} ms, p99 {Percentile(confirmRoundTrip, 99):F1} ms");

await front.StopAsync();
await silo.StopAsync();

// Confirm-to-browser latency: a browser long-polls, the phone confirms, we time when the browser hears.
async Task<(List<double> Heard, List<double> RoundTrip)> ConfirmLatencyAsync(int count, Func<bool> keepGoing)
{
    var heardAfterConfirmSent = new List<double>();
    var confirmRoundTrip = new List<double>();
    for (var i = 0; i < count && keepGoing(); i++)
    {
        var ticket = (await (await http.PostAsJsonAsync("/api/tickets", create)).Content.ReadFromJsonAsync<Created>())!;
        var openId = await emulator.CreateUserAsync(phone: null);
        var scan = (await (await http.PostAsJsonAsync($"/api/mini-program/tickets/{ticket.TicketId}/scan",
            new { loginCode = await emulator.LoginCodeAsync(openId) })).Content.ReadFromJsonAsync<Scanned>())!;
        var clock = new Stopwatch();
        var waiting = Task.Run(async () =>
        {
            var response = await http.GetAsync($"/api/tickets/{ticket.TicketId}/wait?version=2&timeout=30");
            var heard = clock.Elapsed;
            response.EnsureSuccessStatusCode();
            return heard;
        });
        await Task.Delay(20); // let the long-poll park
        clock.Start();
        (await http.PostAsJsonAsync($"/api/mini-program/tickets/{ticket.TicketId}/confirm", new { scanToken = scan.ScanToken })).EnsureSuccessStatusCode();
        confirmRoundTrip.Add(clock.Elapsed.TotalMilliseconds);
        heardAfterConfirmSent.Add((await waiting).TotalMilliseconds);
    }
    return (heardAfterConfirmSent, confirmRoundTrip);
}

static double Percentile(List<double> values, int p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
}


internal sealed record Created(string TicketId);
internal sealed record Scanned(string ScanToken);
