using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using ScanLogin.Grains;
using ScanLogin.Grains.Oidc;
using ScanLogin.Grains.Storage;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The in-process expiring record store (development and grain tests): its compare-and-set and its sweep of expired records.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class ExpiringRecordStoreTests(GrainClusterFixture fixture)
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    /// <summary>The store with its record count in sight, to see what the sweep removed.</summary>
    private sealed class CountedStore(ProductClock clock, Serializer<AuthorizationState> serializer)
        : MemoryExpiringRecordStore<AuthorizationState>(clock, serializer)
    {
        public int Count => Records.Count;
    }

    private CountedStore NewStore() => new(new ProductClock(_time), fixture.SiloService<Serializer<AuthorizationState>>());

    private static AuthorizationState Record(int version, string ticketId = "t") => new() { TicketId = ticketId, Version = version };

    [Fact]
    public async Task A_write_succeeds_only_against_the_stored_version()
    {
        var store = NewStore();
        var forgetAt = _time.GetUtcNow().AddMinutes(1);
        Assert.False(await store.WriteAsync("r", Record(2), 1, forgetAt));
        Assert.True(await store.WriteAsync("r", Record(1, "first"), 0, forgetAt));
        Assert.False(await store.WriteAsync("r", Record(1), 0, forgetAt));

        Assert.False(await store.WriteAsync("r", Record(6, "wrong"), 5, forgetAt));
        Assert.Equal("first", (await store.ReadAsync("r"))!.TicketId);
        Assert.True(await store.WriteAsync("r", Record(2, "second"), 1, forgetAt));
        Assert.Equal("second", (await store.ReadAsync("r"))!.TicketId);
        Assert.False(await store.WriteAsync("r", Record(3, "stale"), 1, forgetAt));
    }

    [Fact]
    public async Task Expired_records_are_swept_once_more_than_1024_are_kept_and_live_ones_stay()
    {
        var store = NewStore();
        var start = _time.GetUtcNow();
        for (var i = 0; i < 1023; i++)
            Assert.True(await store.WriteAsync($"old-{i}", Record(1), 0, start.AddSeconds(1)));
        Assert.True(await store.WriteAsync("live", Record(1), 0, start.AddHours(1)));
        _time.Advance(TimeSpan.FromSeconds(1));

        // 1024 kept: not yet many enough to sweep, though 1023 have expired at this very instant.
        Assert.True(await store.WriteAsync("x", Record(1), 0, start.AddHours(1)));
        Assert.Equal(1025, store.Count);
        Assert.True(await store.WriteAsync("y", Record(1), 0, start.AddHours(1)));
        Assert.Equal(3, store.Count);
        Assert.NotNull(await store.ReadAsync("live"));
        Assert.NotNull(await store.ReadAsync("x"));
    }

    [Fact]
    public async Task The_redis_store_reads_nothing_for_an_id_never_written_and_reads_back_a_written_record()
    {
        var store = new RedisExpiringRecordStore<AuthorizationState>(TestServices.Redis, "scanlogin-unit-tests", "records",
            fixture.SiloService<Serializer<AuthorizationState>>());
        await using var _ = store;
        var id = Secrets.NewId();
        Assert.Null(await store.ReadAsync(id));

        Assert.True(await store.WriteAsync(id, Record(1, "kept"), 0, DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Equal(("kept", 1), ((await store.ReadAsync(id))!.TicketId, (await store.ReadAsync(id))!.Version));
    }
}
