using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ScanLogin.Tests.Shared;

namespace ScanLogin.Benchmarks;

/// <summary>
/// The browsers' side of deploy/bench.sh waiters, in a process of their own: creates tickets, parks one waiting browser
/// per ticket on the front end (half long-poll, half SSE), then times confirm -> browser while they all wait. Between
/// phases it prints "READY phase" and waits for a line on stdin, so the script can measure the server processes.
/// </summary>
public static class Browsers
{
    private const string MiniProgram = EmulatorHost.AppId;

    public static async Task RunAsync(Uri front, Uri emulator, string appId, string source, string origin, int count, int warmUp, int samples)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = front };
        using var phone = new HttpClient { BaseAddress = emulator };

        // Phase 1: some tickets first, so the second measurement sees growth per ticket, not one-off start-up.
        await CreateAsync(warmUp);
        await PhaseAsync("warm-up-tickets");

        // Phase 2: one ticket per browser, and the sample tickets, already scanned, that will be confirmed.
        var tickets = await CreateAsync(count);
        var sampled = await CreateAsync(samples);
        var scanTokens = new string[samples];
        await Parallel.ForEachAsync(Enumerable.Range(0, samples), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var openId = (await PostAsync(phone, "__emulator/users", new { appId = MiniProgram, nickname = $"waiter-{i}" })).GetProperty("openId").GetString();
            var code = (await PostAsync(phone, "__emulator/login-code", new { appId = MiniProgram, openId })).GetProperty("code").GetString();
            scanTokens[i] = (await PostAsync(http, $"/api/mini-program/tickets/{sampled[i]}/scan", new { loginCode = code })).GetProperty("scanToken").GetString()!;
        });
        await PhaseAsync($"tickets {count + samples}");

        // Phase 3: every browser waits. Each holds its own connection, as separate browsers do.
        using var browsers = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
            { BaseAddress = front, Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var parkedCount = 0;
        var waiting = tickets.Select((id, i) => i % 2 == 0 ? LongPollAsync(id, 1) : SseAsync(id)).ToList();
        var heard = sampled.Select((id, i) => i % 2 == 0 ? LongPollAsync(id, 2) : SseAsync(id)).ToArray();
        var parking = Stopwatch.StartNew();
        while (Volatile.Read(ref parkedCount) < count + samples && parking.Elapsed < TimeSpan.FromSeconds(120)) await Task.Delay(100);
        Console.WriteLine($"parked {Volatile.Read(ref parkedCount)} of {count + samples} browsers in {parking.Elapsed.TotalSeconds:F1} s " +
                          $"({count / 2 + samples / 2} long-poll, {count - count / 2 + samples - samples / 2} SSE)");
        await PhaseAsync("parked");

        // Phase 4: confirm the sample tickets one by one while everyone waits; from confirm sent to that browser's answer.
        var latencies = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            var sent = clock.Elapsed;
            await PostAsync(http, $"/api/mini-program/tickets/{sampled[i]}/confirm", new { scanToken = scanTokens[i] });
            var at = await heard[i].WaitAsync(TimeSpan.FromSeconds(30));
            latencies.Add((at - sent).TotalMilliseconds);
        }
        latencies.Sort();
        var failed = waiting.Count(t => t.IsFaulted);
        Console.WriteLine($"confirm sent -> browser heard, {samples} samples while {count} others wait: p50 {latencies[latencies.Count / 2]:F1} ms, " +
                          $"p99 {latencies[Math.Max(0, (int)Math.Ceiling(latencies.Count * 0.99) - 1)]:F1} ms, max {latencies[^1]:F1} ms; waiting browsers failed: {failed}");
        foreach (var reason in waiting.Where(t => t.IsFaulted).GroupBy(t => t.Exception!.InnerException!.GetType().Name + ": " + t.Exception.InnerException.Message).Take(5))
            Console.WriteLine($"  {reason.Count()} browsers failed: {reason.Key}");
        await stop.CancelAsync();

        // A long-poll answers when the version passes `after` (re-asking on timeouts, as a page does); parked once the request is out.
        async Task<TimeSpan> LongPollAsync(string id, int after)
        {
            var first = true;
            while (true)
            {
                var request = browsers.GetAsync($"/api/tickets/{id}/wait?version={after}&timeout=60", stop.Token);
                if (first) { first = false; _ = MarkParkedSoonAsync(); }
                using var response = await request;
                var at = clock.Elapsed;
                response.EnsureSuccessStatusCode();
                var view = await response.Content.ReadFromJsonAsync<JsonElement>(stop.Token);
                if (view.GetProperty("version").GetInt32() > after) return at;
            }
        }

        // SSE: parked once the first event (the current status) arrived; answers at the first event after that.
        async Task<TimeSpan> SseAsync(string id)
        {
            using var response = await browsers.GetAsync($"/api/tickets/{id}/events", HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            var events = 0;
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (!line.StartsWith("event: status", StringComparison.Ordinal)) continue;
                if (++events == 1) Interlocked.Increment(ref parkedCount);
                else return clock.Elapsed;
            }
            throw new IOException("The event stream ended.");
        }

        // The front end answers a long-poll only on change, so a request that is out and unanswered is parked.
        async Task MarkParkedSoonAsync()
        {
            await Task.Delay(200);
            Interlocked.Increment(ref parkedCount);
        }

        async Task<string[]> CreateAsync(int n)
        {
            var ids = new string[n];
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
                ids[i] = (await PostAsync(http, "/api/tickets", new { appId, identitySource = source }, origin)).GetProperty("ticketId").GetString()!);
            return ids;
        }
    }

    private static async Task PhaseAsync(string name)
    {
        Console.WriteLine($"READY {name}");
        await Console.In.ReadLineAsync();
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
