using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;

namespace ScanLogin.Benchmarks;

/// <summary>
/// `accounts [people] [clients] [phone]`: first-time logins into one pool (each creates a user) and returning logins,
/// through the HTTP API with the emulator, counted in PostgreSQL afterwards. Tickets are created and scanned first
/// (not timed); the timed phase is the phones' confirms, where every account decision is made, with `clients`
/// concurrent phones. For reference, in the same run: ticket creations per second with the same clients.
/// </summary>
public static class NewAccounts
{
    public static async Task RunAsync(HttpClient http, IGrainFactory grains, EmulatorHost emulator, string postgres, string[] args)
    {
        var people = args.Length > 0 ? int.Parse(args[0]) : 3000;
        var clients = args.Length > 1 ? int.Parse(args[1]) : 64;
        var sharePhone = args.Length > 2 && args[2] == "phone";
        var pool = "accounts-" + Guid.NewGuid().ToString("N")[..6];
        var appId = pool + "-app";
        await new TenantBuilder(pool, appId, "secret").Pool(name: "Accounts bench").Application(name: "Bench")
            .IdentitySource(ticketLifetime: TimeSpan.FromSeconds(600)).SaveAsync(grains);
        var create = new { appId, identitySource = "wechat" };
        // Tickets are created and exchanged as the application's backend does: with its credentials, no Origin.
        var backend = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{appId}:secret")));

        var openIds = await InParallelAsync(Enumerable.Range(0, people).ToList(), clients,
            i => emulator.CreateUserAsync(phone: sharePhone ? $"139{i:D8}" : null));

        // Reference, same run: ticket creations per second with the same number of clients.
        var reference = Stopwatch.StartNew();
        await InParallelAsync(Enumerable.Range(0, people).ToList(), clients, async _ => (await CreateTicketAsync(http, create, backend)).EnsureSuccessStatusCode());
        var ticketsPerSecond = people / reference.Elapsed.TotalSeconds;

        var (firstRate, firstTime) = await LoginAllAsync(http, emulator, create, backend, openIds, clients, sharePhone);
        var (againRate, againTime) = await LoginAllAsync(http, emulator, create, backend, openIds, clients, sharePhone);

        await using var db = NpgsqlDataSource.Create(postgres);
        await using var count = db.CreateCommand(
            "SELECT (SELECT count(*) FROM scanlogin_users WHERE pool_id = $1), (SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1), " +
            "(SELECT count(*) FROM scanlogin_users u WHERE pool_id = $1 AND (SELECT count(*) FROM scanlogin_user_identities i WHERE i.pool_id = u.pool_id AND i.user_id = u.user_id) <> 1), " +
            "(SELECT coalesce(sum(login_count), 0) FROM scanlogin_users WHERE pool_id = $1)");
        count.Parameters.Add(new NpgsqlParameter { Value = pool });
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (users, identities, odd, logins) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; one silo + one front end + emulator in one process; PostgreSQL and Redis on loopback");
        Console.WriteLine($"{people} WeChat users, {clients} concurrent phones, phone number shared: {(sharePhone ? "yes" : "no")}");
        Console.WriteLine($"reference: ticket creations {ticketsPerSecond:F0}/s");
        Console.WriteLine($"first-time logins (confirm creates the user): {people} in {firstTime.TotalSeconds:F2} s = {firstRate:F0} new accounts/s ({firstRate / ticketsPerSecond:F2}x ticket creation)");
        Console.WriteLine($"returning logins (confirm signs in):          {people} in {againTime.TotalSeconds:F2} s = {againRate:F0} logins/s ({againRate / ticketsPerSecond:F2}x ticket creation)");
        Console.WriteLine($"PostgreSQL after the run: {users} users, {identities} identities, {odd} users without exactly one identity, " +
                          $"{users - people} duplicates, {logins} logins counted (expected {2 * people})");
    }

    /// <summary>Creates and scans a ticket per person (untimed), then times everyone's confirm; exchanges afterwards to check each got a user.</summary>
    private static async Task<(double PerSecond, TimeSpan Elapsed)> LoginAllAsync(HttpClient http, EmulatorHost emulator, object create,
        System.Net.Http.Headers.AuthenticationHeaderValue backend, IReadOnlyList<string> openIds, int clients, bool sharePhone)
    {
        var prepared = await InParallelAsync(openIds, clients, async openId =>
        {
            var created = await (await CreateTicketAsync(http, create, backend)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Created>();
            var scan = await (await http.PostAsJsonAsync($"/api/mini-program/tickets/{created!.TicketId}/scan",
                new { loginCode = await emulator.LoginCodeAsync(openId) })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Scanned>();
            return (created, scan!.ScanToken, PhoneCode: sharePhone ? await emulator.PhoneCodeAsync(openId) : null);
        });
        var clock = Stopwatch.StartNew();
        var statuses = await InParallelAsync(prepared, clients, async p =>
            (await (await http.PostAsJsonAsync($"/api/mini-program/tickets/{p.created.TicketId}/confirm", new { scanToken = p.ScanToken, phoneCode = p.PhoneCode }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<StatusView>())!);
        var elapsed = clock.Elapsed;
        if (statuses.FirstOrDefault(s => s.Status != "confirmed") is { } bad) throw new InvalidOperationException($"A confirm ended {bad.Status} ({bad.Reason}).");
        await InParallelAsync(prepared.Zip(statuses).ToList(), clients, async x =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/exchange") { Content = JsonContent.Create(new { code = x.Second.ExchangeCode }) };
            request.Headers.Authorization = backend;
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        });
        return (openIds.Count / elapsed.TotalSeconds, elapsed);
    }

    private static Task<HttpResponseMessage> CreateTicketAsync(HttpClient http, object create, System.Net.Http.Headers.AuthenticationHeaderValue backend)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(create) };
        request.Headers.Authorization = backend;
        return http.SendAsync(request);
    }

    private static async Task<TResult[]> InParallelAsync<T, TResult>(IReadOnlyList<T> items, int workers, Func<T, Task<TResult>> work)
    {
        var results = new TResult[items.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < items.Count; i = Interlocked.Increment(ref next)) results[i] = await work(items[i]);
        }));
        return results;
    }

    private static Task InParallelAsync<T>(IReadOnlyList<T> items, int workers, Func<T, Task> work) =>
        InParallelAsync(items, workers, async item => { await work(item); return true; });

    private sealed record Created(string TicketId, string BrowserSecret);
    private sealed record Scanned(string ScanToken);
    private sealed record StatusView(string Status, string? ExchangeCode, string? Reason);
}
