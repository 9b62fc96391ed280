using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ScanLogin.Tests.Shared;

namespace ScanLogin.Benchmarks;

/// <summary>
/// Full logins per second against a running front end (deploy/bench.sh http): the browser creates a ticket, the
/// phone scans and confirms (asking the WeChat emulator for its wx.login code), the browser reads the exchange code
/// and exchanges it. Users live in PostgreSQL; each WeChat user logs in once before the measured run, so the
/// measured logins are returning users.
/// </summary>
public static class LoginRate
{
    public static async Task RunAsync(Uri front, Uri emulator, string appId, string source, string origin, int seconds, int concurrency)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = front };
        using var phone = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = emulator };
        var users = new string[concurrency * 4];
        for (var i = 0; i < users.Length; i++)
            users[i] = (await PostAsync(phone, "__emulator/users", new { appId = EmulatorHost.AppId, nickname = $"bench-{i}" })).GetProperty("openId").GetString()!;
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (user, _) => await LoginAsync(user));

        var latencies = new List<double>();
        var failures = 0;
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                var user = users[Interlocked.Increment(ref next) % users.Length];
                var started = clock.Elapsed;
                try
                {
                    await LoginAsync(user);
                    var took = (clock.Elapsed - started).TotalMilliseconds;
                    lock (latencies) latencies.Add(took);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        Console.WriteLine($"full logins: {latencies.Count} in {elapsed:F1} s with {concurrency} clients = {latencies.Count / elapsed:F0} logins/s, " +
                          $"p50 {Percentile(latencies, 50):F1} ms, p99 {Percentile(latencies, 99):F1} ms, failed {failures}");

        async Task LoginAsync(string openId)
        {
            var created = await PostAsync(http, "/api/tickets", new { appId, identitySource = source }, origin);
            var ticketId = created.GetProperty("ticketId").GetString()!;
            var browserSecret = created.GetProperty("browserSecret").GetString()!;
            var loginCode = (await PostAsync(phone, "__emulator/login-code", new { appId = EmulatorHost.AppId, openId })).GetProperty("code").GetString()!;
            var scanned = await PostAsync(http, $"/api/mini-program/tickets/{ticketId}/scan", new { loginCode, nickname = "Bench" });
            await PostAsync(http, $"/api/mini-program/tickets/{ticketId}/confirm", new { scanToken = scanned.GetProperty("scanToken").GetString() });
            var status = await http.GetFromJsonAsync<JsonElement>($"/api/tickets/{ticketId}");
            using var exchange = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/exchange")
            {
                Content = JsonContent.Create(new { code = status.GetProperty("exchangeCode").GetString() }),
            };
            exchange.Headers.Add("X-Browser-Secret", browserSecret);
            (await http.SendAsync(exchange)).EnsureSuccessStatusCode();
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static double Percentile(List<double> sorted, int p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
}
