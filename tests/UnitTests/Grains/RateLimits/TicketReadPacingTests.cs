using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.RateLimits;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

/// <summary>The rules of a live ticket's status-read bucket (<see cref="TicketReadPacing"/>), without a cluster.</summary>
public sealed class TicketReadPacingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RateLimitOptions Settings(RateLimitRule? platform, string? app = null, RateLimitRule? appRule = null)
    {
        var settings = new RateLimitOptions { Defaults = new RateLimitRules { StatusReadsPerTicket = platform } };
        if (app is not null) settings.Applications[app] = new RateLimitRules { StatusReadsPerTicket = appRule };
        return settings;
    }

    [Fact]
    public void A_lease_is_capped_at_a_quarter_of_the_burst_and_the_bucket_is_made_once()
    {
        TokenBucket? bucket = null;
        var settings = Settings(new RateLimitRule { Burst = 8, PerMinute = 60 });
        var first = TicketReadPacing.Lease(ref bucket, settings, "app", "pool", T0, 10);
        Assert.Equal(2, first.Granted);
        Assert.False(first.Unlimited);
        var made = bucket;
        Assert.NotNull(made);
        for (var i = 0; i < 3; i++) TicketReadPacing.Lease(ref bucket, settings, "app", "pool", T0, 10);
        Assert.Same(made, bucket);
        var empty = TicketReadPacing.Lease(ref bucket, settings, "app", "pool", T0, 10);
        Assert.Equal(0, empty.Granted);
        Assert.Equal(TimeSpan.FromSeconds(1), empty.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), empty.Interval);
    }

    [Fact]
    public void The_applications_rule_wins_over_the_platforms()
    {
        TokenBucket? bucket = null;
        var settings = Settings(new RateLimitRule { Burst = 100, PerMinute = 60 }, "app", new RateLimitRule { Burst = 1, PerMinute = 60 });
        Assert.Equal(1, TicketReadPacing.Lease(ref bucket, settings, "app", "pool", T0, 5).Granted);
        Assert.Equal(0, TicketReadPacing.Lease(ref bucket, settings, "app", "pool", T0, 5).Granted);
    }

    [Fact]
    public void No_rule_anywhere_is_unlimited_and_makes_no_bucket()
    {
        TokenBucket? bucket = null;
        var lease = TicketReadPacing.Lease(ref bucket, Settings(null), "app", "pool", T0, 5);
        Assert.Same(RateLease.None, lease);
        Assert.Null(bucket);
    }

    [Fact]
    public void An_application_without_a_rule_among_limited_ones_is_granted_what_it_asks_but_not_called_unlimited()
    {
        TokenBucket? bucket = null;
        var settings = Settings(null, "limited", new RateLimitRule { Burst = 1, PerMinute = 60 });
        var lease = TicketReadPacing.Lease(ref bucket, settings, "free", "pool", T0, 0);
        Assert.Equal(1, lease.Granted);
        Assert.False(lease.Unlimited);
        Assert.Null(bucket);
        Assert.Equal(7, TicketReadPacing.Lease(ref bucket, settings, "free", "pool", T0, 7).Granted);
    }
}
