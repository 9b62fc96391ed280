using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.RateLimits;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_burst_then_one_permit_per_interval()
    {
        var bucket = new TokenBucket(burst: 3, perMinute: 60, T0);
        for (var i = 0; i < 3; i++) Assert.True(bucket.TryTake(T0).Allowed);
        var refused = bucket.TryTake(T0);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Interval);
        Assert.Equal(1, refused.RetryAfter.TotalSeconds, 3);
        Assert.True(bucket.TryTake(T0.AddSeconds(1)).Allowed);
        Assert.False(bucket.TryTake(T0.AddSeconds(1.5)).Allowed);
    }

    [Fact]
    public void Refusals_take_nothing_so_a_client_keeping_the_pace_is_never_locked_out()
    {
        var bucket = new TokenBucket(burst: 1, perMinute: 60, T0);
        Assert.True(bucket.TryTake(T0).Allowed);
        // A thousand refused attempts within the second ...
        for (var i = 1; i <= 1000; i++) Assert.False(bucket.TryTake(T0.AddMilliseconds(i * 0.9)).Allowed);
        // ... and the next permit still arrives on time, the same as for a patient client.
        Assert.True(bucket.TryTake(T0.AddSeconds(1)).Allowed);
        for (var s = 2; s < 50; s++) Assert.True(bucket.TryTake(T0.AddSeconds(s)).Allowed);
    }

    [Fact]
    public void The_bucket_never_holds_more_than_its_burst_and_peeking_takes_nothing()
    {
        var bucket = new TokenBucket(burst: 2, perMinute: 60, T0);
        var later = T0.AddHours(1);
        Assert.True(bucket.Peek(later).Allowed);
        Assert.True(bucket.Peek(later).Allowed);
        Assert.True(bucket.TryTake(later).Allowed);
        Assert.True(bucket.TryTake(later).Allowed);
        Assert.False(bucket.TryTake(later).Allowed);
        Assert.Equal(TimeSpan.FromSeconds(2), bucket.UntilFull(later));
    }

    [Fact]
    public void A_lease_takes_what_the_bucket_holds_and_leaves_it_as_single_takes_would()
    {
        var leased = new TokenBucket(burst: 10, perMinute: 60, T0);
        var single = new TokenBucket(burst: 10, perMinute: 60, T0);
        Assert.Equal(10, leased.Available(T0));
        Assert.Equal(4, leased.TryTake(T0, 4).Granted);
        for (var i = 0; i < 4; i++) single.TryTake(T0);
        Assert.Equal(6, leased.Available(T0));
        // More than is left: the rest, then nothing until the next permit is due.
        Assert.Equal(6, leased.TryTake(T0, 64).Granted);
        for (var i = 0; i < 6; i++) single.TryTake(T0);
        var (none, refused) = leased.TryTake(T0.AddSeconds(0.5), 3);
        Assert.Equal(0, none);
        Assert.False(refused.Allowed);
        Assert.Equal(0.5, refused.RetryAfter.TotalSeconds, 3);
        Assert.Equal(single.UntilFull(T0), leased.UntilFull(T0));
        Assert.Equal(2, leased.TryTake(T0.AddSeconds(2.5), 5).Granted);
        Assert.Equal(0, leased.Available(T0.AddSeconds(2.5)));
        // Refilled in full after an idle while, never beyond the burst.
        Assert.Equal(10, leased.Available(T0.AddHours(1)));
    }

    [Fact]
    public void Lifted_limits_replace_every_rule_and_disabled_limits_have_none()
    {
        var lifted = new RateLimitOptions { Lifted = true, Applications = { ["a"] = new RateLimitRules { TicketsPerClientIp = new() { Burst = 1 } } } };
        foreach (var kind in RateLimitKeys.All) Assert.Same(RateLimitOptions.LiftedRule, lifted.RuleFor(kind, "a", "p"));
        Assert.Null(lifted.RuleFor("NoSuchKind", "a", "p"));
        Assert.All(RateLimitKeys.All, kind => Assert.Null(new RateLimitOptions { Enabled = false }.RuleFor(kind, null, null)));
        // Every kind has a platform default, and the configuration key of the switch is the one deploy/lib.sh exports.
        Assert.All(RateLimitKeys.All, kind => Assert.NotNull(new RateLimitOptions().RuleFor(kind, null, null)));
        Assert.Equal("ScanLogin:RateLimits:Lifted", Assert.Single(RateLimitOptions.LiftedSettings).Key);
        Assert.Contains("ScanLogin__RateLimits__Lifted=true", File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "lib.sh")));
    }

    [Fact]
    public void A_lease_is_at_most_a_quarter_of_the_burst()
    {
        var options = new RateLimitOptions();
        Assert.Equal(2, options.LeaseCap(new RateLimitRule { Burst = 10 }));
        Assert.Equal(1, options.LeaseCap(new RateLimitRule { Burst = 3 }));
        Assert.Equal(64, options.LeaseCap(RateLimitOptions.LiftedRule));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("ScanLogin.sln");
    }

    [Fact]
    public void Rules_come_from_the_application_then_its_pool_then_the_platform()
    {
        var options = new RateLimitOptions
        {
            Pools = { ["p"] = new RateLimitRules { TicketsPerApplication = new() { Burst = 7 } } },
            Applications = { ["a"] = new RateLimitRules { TicketsPerApplication = new() { Burst = 3 } } },
        };
        Assert.Equal(3, options.RuleFor(RateLimitKeys.TicketsPerApplication, "a", "p")!.Burst);
        Assert.Equal(7, options.RuleFor(RateLimitKeys.TicketsPerApplication, "b", "p")!.Burst);
        Assert.Equal(5000, options.RuleFor(RateLimitKeys.TicketsPerApplication, "b", "q")!.Burst);
        // An application override of another kind falls through to the platform for this one.
        Assert.Equal(30, options.RuleFor(RateLimitKeys.TicketsPerClientIp, "a", "p")!.Burst);
        Assert.Null(options.RuleFor("NoSuchKind", "a", "p"));
    }

    [Fact]
    public void Keys_round_trip() =>
        Assert.Equal((RateLimitKeys.StatusReadsPerTicket, (string?)null, "t|x"), RateLimitKeys.Parse(RateLimitKeys.Of(RateLimitKeys.StatusReadsPerTicket, null, "t|x")));
}
