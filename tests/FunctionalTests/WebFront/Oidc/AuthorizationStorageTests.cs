using ScanLogin.Grains.Storage;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Oidc;
using StackExchange.Redis;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// Issue 19 item 4: an /authorize costs one expiring Redis key, beside the tickets: no PostgreSQL row, and no activation
/// or timer held for a login nobody finishes.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed partial class AuthorizationStorageTests(SystemFixture system)
{
    private const string Callback = "https://site.example/callback";
    private static readonly Lazy<ConnectionMultiplexer> Redis = new(() => ConnectionMultiplexer.Connect(SystemFixture.Redis));

    [Fact]
    public async Task An_abandoned_authorize_is_one_expiring_redis_key_with_no_database_row_and_no_activation_left()
    {
        var tenant = await system.CreateTenantAsync();
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { CallbackUrls = [Callback] }, null);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
            { BaseAddress = system.A.BaseAddress };
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = tenant.AppId, ["redirect_uri"] = Callback, ["scope"] = "openid profile",
            ["state"] = "st", ["code_challenge"] = LoginDriver.Challenge("v".PadRight(43, 'v')), ["code_challenge_method"] = "S256",
        };
        var started = await browser.GetAsync(QueryHelpers.AddQueryString($"oidc/{tenant.PoolId}/authorize", query));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var requestId = RequestIdInLocation().Match(started.Headers.Location!.ToString()).Groups[1].Value;
        Assert.NotEmpty(requestId);

        // The login lives in Redis and expires with it (15 minutes on the silos' clock, which tests may have moved on).
        var key = (RedisKey)$"scanlogin-tests/authorizations/{requestId}";
        Assert.True(await Redis.Value.GetDatabase().KeyExistsAsync(key), $"no Redis key {key}");
        var ttl = await Redis.Value.GetDatabase().KeyTimeToLiveAsync(key);
        var clockAhead = system.Time.GetUtcNow() - DateTimeOffset.UtcNow;
        Assert.True(ttl > TimeSpan.Zero && ttl <= TimeSpan.FromMinutes(15) + clockAhead + TimeSpan.FromMinutes(1), $"TTL {ttl}");

        // Nothing in PostgreSQL.
        await using (var count = system.Database.CreateCommand("SELECT count(*) FROM scanlogin_grain_state WHERE grain_key LIKE '%' || $1 || '%'"))
        {
            count.Parameters.AddWithValue(requestId);
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
        }

        // The page still reads it, and afterwards no activation stays behind for it on any silo.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(started.Headers.Location)).StatusCode);
        var management = system.Grains.GetGrain<IManagementGrain>(0);
        string[] seen = [];
        for (var i = 0; i < 100; i++)
        {
            seen = (await management.GetDetailedGrainStatistics()).Select(s => s.GrainId.ToString()).Where(id => id.Contains(requestId)).ToArray();
            if (seen.Length == 0) break;
            await Task.Delay(50);
        }
        Assert.True(seen.Length == 0, $"activations still held for the login after 5 s: {string.Join(", ", seen)}");
    }

    [Fact]
    public async Task A_stored_login_changes_only_from_the_version_it_was_read_at_and_expires_at_its_deadline()
    {
        var store = new RedisExpiringRecordStore<AuthorizationState>(SystemFixture.Redis, "scanlogin-tests", "authorizations",
            new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(AuthorizationState).Assembly)).BuildServiceProvider()
                .GetRequiredService<Serializer<AuthorizationState>>());
        await using var _ = store;
        var requestId = Secrets.NewId();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        var login = new AuthorizationState
        {
            Request = new AuthorizationRequest("pool", "app", Callback, ["openid"], "st", "n", null, "wechat", "en", false, null, "hash"),
            TicketId = "ticket-1", ExpiresAt = deadline, Version = 1,
        };
        Assert.True(await store.WriteAsync(requestId, login, 0, deadline));
        Assert.False(await store.WriteAsync(requestId, login, 0, deadline)); // an id is started once

        var read = (await store.ReadAsync(requestId))!;
        Assert.Equal(("ticket-1", 1), (read.TicketId, read.Version));
        read.TicketId = "ticket-2";
        read.Version = 2;
        Assert.True(await store.WriteAsync(requestId, read, 1, deadline));
        // A second writer that read version 1 (the code used twice at once) loses.
        login.CodeUsed = true;
        login.Version = 2;
        Assert.False(await store.WriteAsync(requestId, login, 1, deadline));
        Assert.Equal(("ticket-2", false), ((await store.ReadAsync(requestId))!.TicketId, (await store.ReadAsync(requestId))!.CodeUsed));

        var ttl = await Redis.Value.GetDatabase().KeyTimeToLiveAsync(store.KeyOf(requestId));
        Assert.True(ttl is { } left && left > TimeSpan.FromMinutes(2) && left <= TimeSpan.FromMinutes(3), $"TTL {ttl}");
    }

    [GeneratedRegex("/login/([A-Za-z0-9_-]{22})")]
    private static partial Regex RequestIdInLocation();
}
