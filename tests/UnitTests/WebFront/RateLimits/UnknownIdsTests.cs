using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

/// <summary>
/// The front end's memory of ids the cluster said do not exist (<see cref="UnknownIds"/>): how long an id is remembered,
/// that a switched-off limiter remembers nothing, and what goes when the memory is full. Against the limiter grains of
/// the shared in-process cluster, on its fake clock.
/// </summary>
[Collection(LimiterClusterCollection.Name)]
public sealed class UnknownIdsTests(LeasedLimiterTests.Cluster cluster)
{
    private static int s_address;

    private (UnknownIds Unknown, LeasedLimiter Limiter, HttpContext Http) FrontEnd(RateLimitOptions? settings = null, int maxRemembered = 100_000)
    {
        var options = new LeasedLimiterTests.Fixed(settings ?? new RateLimitOptions());
        var clock = new RateLimitClock(cluster.Time);
        var limiter = new LeasedLimiter(cluster.Host.Client, options, clock);
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton(limiter).BuildServiceProvider() };
        // An address of its own per front end: each new unknown id spends one of the address's permits.
        http.Connection.RemoteIpAddress = IPAddress.Parse($"203.0.113.{Interlocked.Increment(ref s_address) % 250 + 1}");
        return (new UnknownIds(options, clock) { MaxRemembered = maxRemembered }, limiter, http);
    }

    [Fact]
    public async Task An_unknown_id_is_answered_from_memory_until_its_cache_time_has_passed_and_not_an_instant_longer()
    {
        var (unknown, _, http) = FrontEnd(new RateLimitOptions { UnknownIdCacheTime = TimeSpan.FromSeconds(30) });
        await unknown.RememberAsync(http, UnknownIds.Ticket, "t1");
        Assert.True(unknown.IsKnownUnknown(UnknownIds.Ticket, "t1"));
        Assert.False(unknown.IsKnownUnknown(UnknownIds.Application, "t1"));
        cluster.Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.True(unknown.IsKnownUnknown(UnknownIds.Ticket, "t1"));
        cluster.Time.Advance(TimeSpan.FromTicks(1));
        Assert.False(unknown.IsKnownUnknown(UnknownIds.Ticket, "t1"));
    }

    [Fact]
    public async Task With_the_limits_switched_off_nothing_is_remembered_and_no_permit_is_spent()
    {
        var (unknown, limiter, http) = FrontEnd(new RateLimitOptions { Enabled = false });
        await unknown.RememberAsync(http, UnknownIds.Pool, "ghost");
        Assert.Equal(0, unknown.Count);
        Assert.False(unknown.IsKnownUnknown(UnknownIds.Pool, "ghost"));
        Assert.Equal(0, limiter.GrainCalls);
    }

    [Fact]
    public async Task A_full_memory_first_forgets_the_ids_whose_time_is_up()
    {
        var (unknown, _, http) = FrontEnd(new RateLimitOptions { UnknownIdCacheTime = TimeSpan.FromSeconds(30) }, maxRemembered: 3);
        await unknown.RememberAsync(http, UnknownIds.Ticket, "a");
        cluster.Time.Advance(TimeSpan.FromSeconds(10));
        await unknown.RememberAsync(http, UnknownIds.Ticket, "b");
        await unknown.RememberAsync(http, UnknownIds.Ticket, "c");
        // a's time is up at this very instant; b and c have 10 s left: only a goes to make room for d.
        cluster.Time.Advance(TimeSpan.FromSeconds(20));
        await unknown.RememberAsync(http, UnknownIds.Ticket, "d");
        Assert.Equal(3, unknown.Count);
        Assert.All(new[] { "b", "c", "d" }, id => Assert.True(unknown.IsKnownUnknown(UnknownIds.Ticket, id), id));
        Assert.False(unknown.IsKnownUnknown(UnknownIds.Ticket, "a"));
    }

    [Fact]
    public async Task A_memory_full_of_live_ids_is_emptied_rather_than_grown()
    {
        var (unknown, _, http) = FrontEnd(new RateLimitOptions { UnknownIdCacheTime = TimeSpan.FromSeconds(30) }, maxRemembered: 3);
        foreach (var id in new[] { "a", "b", "c" }) await unknown.RememberAsync(http, UnknownIds.Application, id);
        Assert.Equal(3, unknown.Count);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await unknown.RememberAsync(http, UnknownIds.Application, "d");
        Assert.Equal(1, unknown.Count);
        Assert.True(unknown.IsKnownUnknown(UnknownIds.Application, "d"));
        Assert.False(unknown.IsKnownUnknown(UnknownIds.Application, "a"));
    }
}
