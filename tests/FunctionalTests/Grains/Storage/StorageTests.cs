using ScanLogin.Tests.Shared;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using StackExchange.Redis;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Tickets in real Redis (never in PostgreSQL): written on every change, expiring by themselves, deleted when done.</summary>
[Collection(SystemCollection.Name)]
public sealed class StorageTests(SystemFixture system)
{
    private static readonly Lazy<ConnectionMultiplexer> Redis = new(() => ConnectionMultiplexer.Connect(SystemFixture.Redis));

    private static RedisKey KeyOf(string ticketId) => $"scanlogin-tests/tickets/{ticketId}";

    private static async Task<int?> StoredVersionAsync(string ticketId) =>
        await Redis.Value.GetDatabase().StringGetAsync(KeyOf(ticketId)) is { IsNull: false } stored
            ? RedisTicketStore.StoredVersion(stored!) : null;

    private static RedisTicketStore NewStore(string connectionString) => new(connectionString, "scanlogin-tests",
        new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(TicketState).Assembly)).BuildServiceProvider()
            .GetRequiredService<Serializer<TicketState>>());

    /// <summary>A new pending ticket of application "App" (or <paramref name="appName"/>), as the desk makes one.</summary>
    private static TicketState NewTicket(DateTimeOffset now, string appName = "App") => TicketLifecycle.Open(Guid.NewGuid().ToString("N"),
        new TicketOpening("app", "wechat", new Requester("127.0.0.1", null, "https://a.example"), "hash"), "pool", appName, "WeChat", TimeSpan.FromMinutes(2), now);

    [Fact]
    public async Task A_ticket_in_redis_follows_every_change_expires_by_itself_and_is_deleted_after_its_retention()
    {
        var created = await Api.CreateTicketAsync(system.A, await system.CreateTenantAsync());
        Assert.Equal(1, await StoredVersionAsync(created.TicketId));
        // Nothing is left behind if no silo erases it: the key carries its own expiry.
        Assert.True(await Redis.Value.GetDatabase().KeyTimeToLiveAsync(KeyOf(created.TicketId)) > TimeSpan.Zero);
        await using (var sql = system.Database.CreateCommand("SELECT count(*) FROM scanlogin_grain_state WHERE grain_key = $1"))
        {
            sql.Parameters.Add(new NpgsqlParameter { Value = created.TicketId });
            Assert.Equal(0L, (long)(await sql.ExecuteScalarAsync())!);
        }
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync()));
        Assert.Equal(2, await StoredVersionAsync(created.TicketId));
        var cancel = await system.B.PostAsJsonAsync($"/api/mini-program/tickets/{created.TicketId}/cancel", new { scanToken = scan.ScanToken });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(3, await StoredVersionAsync(created.TicketId));

        system.Time.Advance(TimeSpan.FromSeconds(121));
        for (var i = 0; i < 200 && await StoredVersionAsync(created.TicketId) is not null; i++) await Task.Delay(10);
        Assert.Null(await StoredVersionAsync(created.TicketId));
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{created.TicketId}"), HttpStatusCode.NotFound, "ticket_not_found");
    }

    [Fact]
    public async Task The_redis_store_writes_only_over_the_version_it_was_told_and_never_over_a_taken_id()
    {
        await using var store = NewStore(SystemFixture.Redis);
        var now = DateTimeOffset.UtcNow;
        var first = NewTicket(now);
        var forgetAt = now.AddMinutes(4);

        Assert.True(await store.WriteAsync(first, 0, forgetAt));
        // The same id again is a taken id: refused, and the stored ticket is untouched (its expiry too).
        Assert.False(await store.WriteAsync(first with { AppName = "Other" }, 0, now.AddHours(1)));
        Assert.Equal("App", (await store.ReadAsync(first.TicketId))!.AppName);
        var ttl = await Redis.Value.GetDatabase().KeyTimeToLiveAsync(KeyOf(first.TicketId));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4));

        var second = first with { Version = 2, Status = TicketStatus.Scanned };
        Assert.False(await store.WriteAsync(second, 2, forgetAt)); // not the stored version
        Assert.True(await store.WriteAsync(second, 1, forgetAt.AddMinutes(1)));
        Assert.False(await store.WriteAsync(second with { Version = 3 }, 1, forgetAt)); // a second writer from version 1 loses
        var read = (await store.ReadAsync(first.TicketId))!;
        Assert.Equal((2, TicketStatus.Scanned, "App"), (read.Version, read.Status, read.AppName));
        Assert.Equal(2, await StoredVersionAsync(first.TicketId));
        Assert.True(await Redis.Value.GetDatabase().KeyTimeToLiveAsync(KeyOf(first.TicketId)) > TimeSpan.FromMinutes(4));

        await store.DeleteAsync(first.TicketId, 1); // an older version's erasure leaves the newer ticket
        Assert.NotNull(await store.ReadAsync(first.TicketId));
        await store.DeleteAsync(first.TicketId, 2);
        Assert.Null(await store.ReadAsync(first.TicketId));
    }

    [Fact]
    public async Task The_redis_store_creates_a_batch_of_tickets_at_once_refusing_only_the_taken_ids()
    {
        await using var store = NewStore(SystemFixture.Redis);
        var now = DateTimeOffset.UtcNow;
        var taken = NewTicket(now, "First");
        Assert.True(await store.WriteAsync(taken, 0, now.AddMinutes(4)));
        var (a, b) = (NewTicket(now, "A"), NewTicket(now, "B"));

        var created = await store.CreateAsync([(a, now.AddMinutes(3)), (taken with { AppName = "Other" }, now.AddHours(1)), (b, now.AddMinutes(5))]);

        Assert.Equal([true, false, true], created);
        Assert.Equal(("A", "B", "First"), ((await store.ReadAsync(a.TicketId))!.AppName, (await store.ReadAsync(b.TicketId))!.AppName,
            (await store.ReadAsync(taken.TicketId))!.AppName));
        // Each ticket keeps its own expiry; the taken one keeps the one it had.
        var db = Redis.Value.GetDatabase();
        Assert.InRange((await db.KeyTimeToLiveAsync(KeyOf(a.TicketId)))!.Value, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3));
        Assert.InRange((await db.KeyTimeToLiveAsync(KeyOf(b.TicketId)))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.InRange((await db.KeyTimeToLiveAsync(KeyOf(taken.TicketId)))!.Value, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4));
        Assert.Equal(1, await StoredVersionAsync(a.TicketId));
    }

    [Fact]
    public async Task Creations_during_a_redis_restart_wait_for_it_instead_of_failing()
    {
        // A Redis of its own, to restart without disturbing the other tests.
        var port = TestPorts.FreePort();
        var dir = Directory.CreateTempSubdirectory("scanlogin-redis-restart-");
        Process StartRedis() => Process.Start(new ProcessStartInfo("redis-server",
            ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.FullName])
            { RedirectStandardOutput = true, UseShellExecute = false })!;
        var redis = StartRedis();
        try
        {
            await using var store = NewStore($"127.0.0.1:{port},abortConnect=false");
            var now = DateTimeOffset.UtcNow;
            bool[] first = [];
            for (var i = 0; i < 100 && !(first.Length == 1 && first[0]); i++)
            {
                try { first = await store.CreateAsync([(NewTicket(now), now.AddMinutes(4))]); }
                catch (RedisConnectionException) { await Task.Delay(50); } // still starting
            }
            Assert.Equal([true], first);

            redis.Kill();
            await redis.WaitForExitAsync();
            for (var i = 0; i < 250 && store.IsConnected; i++) await Task.Delay(20); // the client sees the closed socket
            Assert.False(store.IsConnected);
            var during = NewTicket(now);
            var creating = store.CreateAsync([(during, now.AddMinutes(4))]);
            await Task.Delay(500);
            Assert.False(creating.IsCompleted); // waiting for Redis, not refused
            redis = StartRedis();

            var created = await creating.WithinAsync(TimeSpan.FromSeconds(30), "the creation that waited for Redis, once Redis is back",
                () => Task.FromResult($"store connected: {store.IsConnected}"));
            Assert.Equal([true], created);
            Assert.Equal("App", (await store.ReadAsync(during.TicketId))!.AppName);
        }
        finally
        {
            redis.Kill();
            await redis.WaitForExitAsync();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Server_sent_events_resume_after_the_last_event_id()
    {
        var created = await Api.CreateTicketAsync(system.A, await system.CreateTenantAsync());
        await Api.ScanOkAsync(system.B, created.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync()));

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tickets/{created.TicketId}/events");
        request.Headers.Add("Last-Event-ID", "2");
        using var response = await system.A.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // Version 2 was already seen: the first event is a ping carrying the current status, not a repeat of it.
        var first = await ReadEventAsync(reader).WithinAsync(TimeSpan.FromSeconds(20), "the stream's first event", () => Api.StatusNowAsync(system.B, created.TicketId));
        Assert.Equal("ping", first.Type);
        Assert.Contains("\"scanned\"", first.Data);
    }

    private static async Task<(string Type, string Data)> ReadEventAsync(StreamReader reader)
    {
        string type = "message", data = "";
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.Length == 0 && data.Length > 0) return (type, data);
        }
        throw new EndOfStreamException();
    }
}
