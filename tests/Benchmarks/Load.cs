using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using ScanLogin.Tests.Shared;

namespace ScanLogin.Benchmarks;

/// <summary>
/// Sustained logins against a running cluster (deploy/cluster.sh): browsers create tickets and wait on them, phones
/// (the emulator) scan and confirm, browsers exchange. Bounded in time, loopback only. Optionally runs a fault command
/// part-way, then reports logins attempted, completed, ended expired, errors by kind, seconds to recover, and checks
/// PostgreSQL: no WeChat identity bound to two accounts, no acknowledged login's account missing.
/// </summary>
public static class Load
{
    private sealed record Options(Uri[] Fronts, Uri Emulator, int Seconds, int Concurrency, string AppId, string AppSecret, string Source, string Origin,
        string MiniProgram, string Postgres, string Pool, int FaultAt, string? Fault, bool Check);

    public static async Task<int> RunAsync(string[] args)
    {
        var o = Parse(args);
        foreach (var uri in o.Fronts.Append(o.Emulator))
            if (!uri.IsLoopback) throw new ArgumentException($"{uri} is not on loopback: the load tool only talks to this machine.");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Concurrency * 4, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
            { Timeout = TimeSpan.FromSeconds(30) };
        var down = new ConcurrentDictionary<Uri, DateTime>();
        var errors = new ConcurrentDictionary<string, int>();
        var acknowledged = new ConcurrentBag<(string OpenId, string UserId)>();
        var done = new ConcurrentBag<(TimeSpan Start, TimeSpan End)>();
        long attempted = 0, expired = 0, rerouted = 0, next = 0;
        // Where the logins in flight are: a stall shows which step waits (progress lines print it).
        var inStep = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        TimeSpan? faultAt = null;

        Uri Front()
        {
            for (var i = 0; i < o.Fronts.Length; i++)
            {
                var f = o.Fronts[(int)(Interlocked.Increment(ref next) % o.Fronts.Length)];
                if (!down.TryGetValue(f, out var until) || until < DateTime.UtcNow) return f;
            }
            return o.Fronts[0];
        }

        // A load balancer stops sending to a front end that refuses connections; the request had not arrived, so it goes elsewhere.
        async Task<HttpResponseMessage> SendAsync(Func<Uri, HttpRequestMessage> make, CancellationToken cancel = default)
        {
            for (var attempt = 0; ; attempt++)
            {
                var front = Front();
                try
                {
                    return await http.SendAsync(make(front), cancel);
                }
                catch (HttpRequestException e) when (e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } && attempt < o.Fronts.Length)
                {
                    down[front] = DateTime.UtcNow.AddSeconds(5);
                    Interlocked.Increment(ref rerouted);
                }
            }
        }

        HttpRequestMessage Json(HttpMethod method, Uri front, string path, object? body, bool asBackend = false)
        {
            var m = new HttpRequestMessage(method, new Uri(front, path)) { Content = body is null ? null : JsonContent.Create(body) };
            // The browser's calls carry its page's origin; the exchange is the application's backend, with its credentials.
            if (asBackend) m.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{o.AppId}:{o.AppSecret}")));
            else m.Headers.TryAddWithoutValidation("Origin", o.Origin);
            return m;
        }

        async Task<string> EmulatorAsync(string path, object body)
        {
            var r = await http.PostAsJsonAsync(new Uri(o.Emulator, path), body);
            r.EnsureSuccessStatusCode();
            var node = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
            return (node["openId"] ?? node["code"])!.GetValue<string>();
        }

        async Task<JsonNode> ExpectAsync(HttpResponseMessage response, string step)
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode) return JsonNode.Parse(text)!;
                string? code = null;
                try { code = JsonNode.Parse(text)?["code"]?.GetValue<string>(); } catch (JsonException) { }
                throw new LoginFailed(step, $"{(int)response.StatusCode} {code}", code is "ticket_expired" or "ticket_not_found" || response.StatusCode == HttpStatusCode.Gone);
            }
        }

        async Task LoginAsync()
        {
            var started = clock.Elapsed;
            Interlocked.Increment(ref attempted);
            var step = "create";
            void Enter(string next)
            {
                inStep.AddOrUpdate(step, 0, (_, n) => n - 1);
                step = next;
                inStep.AddOrUpdate(step, 1, (_, n) => n + 1);
            }
            inStep.AddOrUpdate(step, 1, (_, n) => n + 1);
            using var abandon = new CancellationTokenSource();
            try
            {
                var ticket = await ExpectAsync(await SendAsync(f => Json(HttpMethod.Post, f, "/api/tickets", new { appId = o.AppId, identitySource = o.Source })), step);
                var id = ticket["ticketId"]!.GetValue<string>();
                Enter("phone");
                var openId = await EmulatorAsync("/__emulator/users", new { appId = o.MiniProgram, nickname = "Load" });
                var loginCode = await EmulatorAsync("/__emulator/login-code", new { appId = o.MiniProgram, openId });
                Enter("scan");
                var scan = await ExpectAsync(await SendAsync(f => Json(HttpMethod.Post, f, $"/api/mini-program/tickets/{id}/scan", new { loginCode })), step);
                // The browser waits for the confirm on some front end while the phone confirms through another.
                // A browser whose login failed closes its page: the long-poll must not hold one of the tool's connections on.
                var waiting = SendAsync(f => Json(HttpMethod.Get, f, $"/api/tickets/{id}/wait?version=2&timeout=20", null), abandon.Token);
                Enter("confirm");
                await ExpectAsync(await SendAsync(f => Json(HttpMethod.Post, f, $"/api/mini-program/tickets/{id}/confirm",
                    new { scanToken = scan["scanToken"]!.GetValue<string>() })), step);
                Enter("browser");
                var heard = await ExpectAsync(await waiting, step);
                var status = heard["status"]!.GetValue<string>();
                if (status == "expired") throw new LoginFailed(step, "expired", true);
                if (status != "confirmed") throw new LoginFailed(step, $"heard {status}", false);
                Enter("exchange");
                var grant = await ExpectAsync(await SendAsync(f => Json(HttpMethod.Post, f, "/api/tickets/exchange",
                    new { code = heard["exchangeCode"]!.GetValue<string>() }, asBackend: true)), step);
                acknowledged.Add((openId, grant["user"]!["id"]!.GetValue<string>()));
                done.Add((started, clock.Elapsed));
            }
            catch (LoginFailed f)
            {
                if (f.Expired) Interlocked.Increment(ref expired);
                else errors.AddOrUpdate($"{f.Step}: {f.Kind}", 1, (_, n) => n + 1);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or NullReferenceException or InvalidOperationException)
            {
                errors.AddOrUpdate($"{step}: {e.GetType().Name} {(e as HttpRequestException)?.StatusCode}".TrimEnd(), 1, (_, n) => n + 1);
            }
            finally
            {
                abandon.Cancel();
                inStep.AddOrUpdate(step, 0, (_, n) => n - 1);
            }
        }

        var faulting = o.Fault is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(o.FaultAt));
            faultAt = clock.Elapsed;
            Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] fault: {o.Fault}");
            using var p = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", o.Fault!]))!;
            await p.WaitForExitAsync();
            Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] fault command finished (exit {p.ExitCode})");
        });
        var progress = Task.Run(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(o.Seconds))
            {
                await Task.Delay(5000);
                var busy = string.Join(" ", inStep.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"));
                Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] attempted {Interlocked.Read(ref attempted)}, completed {done.Count}, errors {errors.Values.Sum()}; in flight: {busy}");
            }
        });
        await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(async _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(o.Seconds)) await LoginAsync();
        }));
        await faulting;
        await progress;

        // What PostgreSQL holds afterwards: every acknowledged login's identity bound to the account it was told, none twice.
        long duplicated, lost = 0;
        await using (var db = NpgsqlDataSource.Create(o.Postgres))
        {
            await using (var dup = db.CreateCommand("SELECT count(*) FROM (SELECT openid FROM scanlogin_user_identities WHERE pool_id = $1 GROUP BY openid HAVING count(DISTINCT user_id) > 1) d"))
            {
                dup.Parameters.Add(new NpgsqlParameter { Value = o.Pool });
                duplicated = (long)(await dup.ExecuteScalarAsync())!;
            }
            var bound = new Dictionary<string, string>();
            await using (var all = db.CreateCommand("SELECT i.openid, i.user_id FROM scanlogin_user_identities i JOIN scanlogin_users u USING (pool_id, user_id) WHERE i.pool_id = $1"))
            {
                all.Parameters.Add(new NpgsqlParameter { Value = o.Pool });
                await using var reader = await all.ExecuteReaderAsync();
                while (await reader.ReadAsync()) bound[reader.GetString(0)] = reader.GetString(1);
            }
            foreach (var (openId, userId) in acknowledged)
                if (!bound.TryGetValue(openId, out var stored) || stored != userId) lost++;
        }

        double? recovery = null;
        if (faultAt is { } f0)
        {
            var after = done.Where(d => d.Start > f0).Select(d => d.End).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            recovery = after == TimeSpan.MaxValue ? null : (after - f0).TotalSeconds;
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"load: {o.Seconds} s, {o.Concurrency} concurrent logins over {o.Fronts.Length} front end(s); fault: {o.Fault ?? "none"}{(o.Fault is null ? "" : $" at {o.FaultAt} s")}");
        Console.WriteLine($"logins attempted: {attempted}");
        Console.WriteLine($"logins completed: {done.Count} ({done.Count / elapsed:F1}/s)");
        Console.WriteLine($"logins ended expired: {expired}");
        Console.WriteLine($"errors: {errors.Values.Sum()}" + (errors.IsEmpty ? "" : " — " + string.Join(", ", errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} x{e.Value}"))));
        Console.WriteLine($"requests re-sent after a refused connection: {rerouted}");
        Console.WriteLine($"accounts duplicated: {duplicated}");
        Console.WriteLine($"acknowledged logins lost: {lost} (of {acknowledged.Count}, checked in PostgreSQL)");
        if (o.Fault is not null)
            Console.WriteLine(recovery is { } r ? $"seconds to recover: {r:F1} (fault to the first completed login begun after it)" : "seconds to recover: not recovered");
        if (!o.Check) return 0;
        var ok = duplicated == 0 && lost == 0 && done.Count > 0 && (o.Fault is null || recovery is < 30);
        Console.WriteLine(ok ? "check: passed" : "check: FAILED");
        return ok ? 0 : 1;
    }

    private sealed class LoginFailed(string step, string kind, bool expired) : Exception($"{step}: {kind}")
    {
        public string Step { get; } = step;
        public string Kind { get; } = kind;
        public bool Expired { get; } = expired;
    }

    private static Options Parse(string[] args)
    {
        var map = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        string Get(string key, string? fallback = null) => map.TryGetValue(key, out var v) ? v : fallback ?? throw new ArgumentException($"missing {key}=");
        return new Options(
            Get("fronts").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToArray(),
            new Uri(Get("emulator")), int.Parse(Get("seconds", "30")), int.Parse(Get("concurrency", "16")),
            Get("app", "demo-app"), Get("app-secret", "demo-secret-0123456789"), Get("source", "wechat-scan"), Get("origin"), Get("mini-program", EmulatorHost.AppId),
            Get("postgres"), Get("pool", "demo"), int.Parse(Get("fault-at", "10")), map.GetValueOrDefault("fault"), Get("check", "false") == "true");
    }
}
