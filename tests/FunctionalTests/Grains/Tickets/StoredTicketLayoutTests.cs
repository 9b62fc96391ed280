using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using StackExchange.Redis;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// Tickets live through a deploy: Redis holds tickets another version of the code wrote (versioned strings,
/// <see cref="RedisTicketStore"/>), and the new code must read them and answer for them as it would for its own.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class StoredTicketLayoutTests(SystemFixture system)
{
    private const string TicketId = "LegacyTicket000000000A";
    private const string Origin = "https://legacy.example";

    /// <summary>
    /// A pending ticket exactly as <see cref="RedisTicketStore"/> wrote it before tickets kept their terms (commit 557a0fd):
    /// version 1 (4 bytes), then the Orleans-serialized state of that code. Application legacy-app of pool legacy-pool,
    /// source wechat, opened 2026-12-07 08:00 UTC from https://legacy.example, due two minutes later (so it has expired
    /// by the time a test reads it, which a ticket left over a deploy may well have).
    /// </summary>
    private const string StoredBeforeTerms =
        "AAAAASDoQC1MZWdhY3lUaWNrZXQwMDAwMDAwMDBBAQEBBUEXbGVnYWN5LXBvb2xBFWxlZ2FjeS1hcHBBDXdlY2hhdCHoQBExMC4wLjAuOUEZbGVnYWN5LWFnZW50QS1odHRwczovL2xlZ2FjeS5leGFtcGxl4CGAAECOFzhU3wiBAAAAAAAAAADgIYAAzBRfOFTfCIEAAAAAAAAAAODBAcEBQTVsZWdhY3ktYnJvd3Nlci1zZWNyZXQtaGFzaMEBwQHBAcEBwQFBF0xlZ2FjeSBzaG9wQQ1XZUNoYXTHGQFBGWxlZ2FjeS1ub25jZccTAcEBAQEBAcEBAQHg";

    [Fact]
    public async Task A_ticket_stored_before_tickets_kept_terms_still_reads_and_answers_cors_for_its_applications_origins()
    {
        await system.Grains.GetGrain<IUserPoolGrain>("legacy-pool").SaveSettingsAsync(new UserPoolSettings("legacy-pool", "Legacy pool"));
        await system.Grains.GetGrain<IApplicationGrain>("legacy-app").SaveAsync(
            new ApplicationSettings("legacy-app", "legacy-pool", "Legacy shop", null, [Origin], []), "legacy-secret");
        await system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf("legacy-pool", "wechat")).SaveAsync(
            new IdentitySourceSettings("legacy-pool", "wechat", "WeChat", null, true, false, null, LoginMode.LoginAndRegister, AccountAssociation.Off,
                IdentitySourceSettings.DefaultTicketLifetime, ["legacy-app"]), null);
        using var redis = await ConnectionMultiplexer.ConnectAsync(SystemFixture.Redis);
        await redis.GetDatabase().StringSetAsync($"scanlogin-tests/tickets/{TicketId}", Convert.FromBase64String(StoredBeforeTerms), TimeSpan.FromMinutes(10));

        // The store reads every field the old code wrote; the terms it did not write are missing, not garbage.
        await using (var store = new RedisTicketStore(SystemFixture.Redis, "scanlogin-tests", new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(TicketState).Assembly)).BuildServiceProvider().GetRequiredService<Serializer<TicketState>>()))
        {
            var read = (await store.ReadAsync(TicketId))!;
            Assert.Equal((TicketId, TicketStatus.Pending, 1, "legacy-pool", "legacy-app", "wechat", "Legacy shop", "legacy-nonce"),
                (read.TicketId, read.Status, read.Version, read.PoolId, read.AppId, read.IdentitySource, read.AppName, read.Nonce));
            Assert.Equal(new Requester("10.0.0.9", "legacy-agent", Origin), read.Requester);
            Assert.Equal(new DateTimeOffset(2026, 12, 7, 8, 2, 0, TimeSpan.Zero), read.ConfirmBy);
            Assert.Null(read.Terms);
        }

        // Served as any ticket: its status (the clock has ended it), readable from its application's origin (terms taken at load).
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tickets/{TicketId}");
        request.Headers.Add("Origin", Origin);
        using var response = await system.A.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", system.Logs.Lines.Where(l => l.StartsWith("Error") || l.StartsWith("Warn")).TakeLast(5)));
        Assert.Equal(Origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("expired", (await Api.StatusAsync(system.B, TicketId)).Status);
    }
}
