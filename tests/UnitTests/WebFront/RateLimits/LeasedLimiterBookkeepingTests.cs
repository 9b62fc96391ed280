using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Observability;
using ScanLogin.WebFront.RateLimits;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

/// <summary>
/// A front end's own bookkeeping in <see cref="LeasedLimiter"/> (lease boundaries, remembered refusals, the rule cache, the
/// demand that sizes a lease, the sweep of idle keys), against buckets that answer as each test says: every cluster call
/// and the permits each lease asked for are then visible one by one. <see cref="LeasedLimiterTests"/> runs the same class
/// against the real limiter grains.
/// </summary>
public sealed class LeasedLimiterBookkeepingTests
{
    private const string Kind = RateLimitKeys.TicketsPerClientIp;
    private const string App = "app-x";
    private static readonly TimeSpan Pace = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    private LeasedLimiter FrontEnd(ScriptedBuckets buckets, RateLimitOptions? settings = null) =>
        new(buckets.Factory, new LeasedLimiterTests.Fixed(settings ?? new RateLimitOptions()), new RateLimitClock(_time));

    /// <summary>For a lease the test answers by hand: a stalled machine must not make the front end fail open first.</summary>
    private static RateLimitOptions Patient => new() { CallTimeout = TimeSpan.FromMinutes(5) };

    private static RateLease Granted(int permits) => new(permits, TimeSpan.Zero, Pace, Unlimited: false);

    private static RateLease Refused(TimeSpan retryAfter) => new(0, retryAfter, Pace, Unlimited: false);

    [Fact]
    public async Task Idle_keys_are_forgotten_once_more_than_4096_are_held_at_most_once_a_second_while_live_leases_refusals_and_rule_cache_stay()
    {
        // "refused-*": refused for ten seconds; "rich": a lease of five; the kind "NoRuleKind": no rule; else a lease of one
        // (the request spends it at once, so nothing is left to remember).
        var buckets = new ScriptedBuckets((key, _) => Task.FromResult(
            key.StartsWith("NoRuleKind|", StringComparison.Ordinal) ? RateLease.None
            : key.EndsWith("|rich", StringComparison.Ordinal) ? Granted(5)
            : key.Contains("|refused-", StringComparison.Ordinal) ? Refused(TimeSpan.FromSeconds(10))
            : Granted(1)));
        var front = FrontEnd(buckets);
        Task Take(string subject) => front.TakeAsync(Kind, App, subject).AsTask();

        for (var i = 1; i <= 3; i++) await Take($"plain-{i}");
        Assert.Equal(RateDecision.Unlimited, await front.TakeAsync("NoRuleKind", App, "s"));
        // Few keys: nothing is swept, however much time passed.
        _time.Advance(TimeSpan.FromSeconds(2));
        await Take("plain-4");
        Assert.Equal(5, front.TrackedKeys);

        for (var i = 1; i <= 4089; i++) await Take($"refused-{i}");
        await Take("rich");
        await Take("plain-5");
        await Take("plain-6");
        // 4096 keys held when plain-6 came: still no sweep.
        Assert.Equal(4097, front.TrackedKeys);
        await Take("plain-7");
        // More than 4096: the seven idle keys (leases spent, the rule-less key) are gone; refusals and the live lease stay.
        Assert.Equal(4089 + 1 + 1, front.TrackedKeys);
        Assert.Equal((false, TimeSpan.FromSeconds(10)), front.Remembered(Kind, App, "refused-1") is { } refused ? (refused.Allowed, refused.RetryAfter) : default);
        Assert.Null(front.Remembered(Kind, App, "plain-1"));

        // Half a second later, over 4096 again: not yet (at most one sweep a second).
        _time.Advance(TimeSpan.FromMilliseconds(500));
        for (var i = 8; i <= 14; i++) await Take($"plain-{i}");
        Assert.Equal(4098, front.TrackedKeys);
        // A second after the last sweep: swept again, and the rich lease, lapsed this very instant, goes with the idle keys.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await Take("plain-15");
        Assert.Equal(4089 + 1, front.TrackedKeys);

        // The rule-less kind is still remembered (its thirty seconds are not over): no call.
        var calls = front.GrainCalls;
        Assert.Equal(RateDecision.Unlimited, await front.TakeAsync("NoRuleKind", App, "s"));
        Assert.Equal(calls, front.GrainCalls);
    }

    [Fact]
    public async Task A_kind_without_a_rule_is_answered_without_a_call_until_the_rule_cache_time_has_passed()
    {
        var buckets = new ScriptedBuckets((_, _) => Task.FromResult(RateLease.None), _ => RateDecision.Unlimited);
        var front = FrontEnd(buckets, new RateLimitOptions { RuleCacheTime = TimeSpan.FromSeconds(30) });

        Assert.Equal(RateDecision.Unlimited, await front.TakeAsync("NoRuleKind", App, "a"));
        Assert.Equal(1, front.GrainCalls);
        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        // Any subject of the kind and application, taking or peeking: no call.
        Assert.Equal(RateDecision.Unlimited, await front.TakeAsync("NoRuleKind", App, "b"));
        Assert.Equal(RateDecision.Unlimited, await front.PeekAsync("NoRuleKind", App, "c"));
        Assert.Equal(1, front.GrainCalls);
        // Another application of the same kind may have a rule of its own: asked.
        await front.TakeAsync("NoRuleKind", "app-y", "a");
        Assert.Equal(2, front.GrainCalls);
        // Thirty seconds on, a rule may have been configured: asked again.
        _time.Advance(TimeSpan.FromTicks(1));
        await front.TakeAsync("NoRuleKind", App, "a");
        Assert.Equal(3, front.GrainCalls);
        Assert.Equal(3, buckets.Leases.Count);
    }

    [Fact]
    public async Task A_peek_that_finds_no_rule_is_remembered_like_a_lease_and_a_front_end_switched_off_asks_nothing()
    {
        var buckets = new ScriptedBuckets((_, wanted) => Task.FromResult(Granted(wanted)), _ => RateDecision.Unlimited);
        var front = FrontEnd(buckets);
        Assert.Equal(RateDecision.Unlimited, await front.PeekAsync("NoRuleKind", App, "a"));
        Assert.Equal(1, front.GrainCalls);
        Assert.Equal(RateDecision.Unlimited, await front.PeekAsync("NoRuleKind", App, "a"));
        Assert.Equal(RateDecision.Unlimited, await front.TakeAsync("NoRuleKind", App, "b"));
        Assert.Equal(1, front.GrainCalls);
        Assert.Equal(1, buckets.Peeks);

        var off = FrontEnd(buckets, new RateLimitOptions { Enabled = false });
        Assert.Equal(RateDecision.Unlimited, await off.PeekAsync(Kind, App, "a"));
        Assert.Equal(RateDecision.Unlimited, await off.TakeAsync(Kind, App, "a"));
        Assert.Equal(0, off.GrainCalls);
        Assert.Equal(1, buckets.Peeks);
        Assert.Empty(buckets.Leases);
    }

    [Fact]
    public async Task Leased_permits_are_spent_and_peeked_only_before_the_lease_ends()
    {
        var buckets = new ScriptedBuckets((_, _) => Task.FromResult(Granted(5)), _ => new RateDecision(true, TimeSpan.Zero, Pace));
        var front = FrontEnd(buckets, new RateLimitOptions { LeaseTime = TimeSpan.FromSeconds(1) });

        Assert.True((await front.TakeAsync(Kind, App, "a")).Allowed);
        Assert.Equal(1, front.GrainCalls);
        // Four permits left: a peek and a take are answered here until the lease's last instant.
        Assert.Equal(new RateDecision(true, TimeSpan.Zero, Pace), await front.PeekAsync(Kind, App, "a"));
        _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.True((await front.TakeAsync(Kind, App, "a")).Allowed);
        Assert.Equal(1, front.GrainCalls);
        // At its end the three left lapse: the bucket is asked.
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True((await front.PeekAsync(Kind, App, "a")).Allowed);
        Assert.Equal(2, front.GrainCalls);
        Assert.True((await front.TakeAsync(Kind, App, "a")).Allowed);
        Assert.Equal(3, front.GrainCalls);
        Assert.Equal(1, buckets.Peeks);
    }

    [Fact]
    public async Task A_lease_asks_for_the_demand_of_this_or_the_last_lease_time_and_forgets_a_window_two_lease_times_old()
    {
        // Leases of one: every request asks, so every request shows what it asked for.
        var buckets = new ScriptedBuckets((_, _) => Task.FromResult(Granted(1)));
        var front = FrontEnd(buckets, new RateLimitOptions { LeaseTime = TimeSpan.FromSeconds(1) });

        for (var i = 0; i < 3; i++) await front.TakeAsync(Kind, App, "a");
        // A lease time after the window began, a new one: the last one's three still count.
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 2; i++) await front.TakeAsync(Kind, App, "a");
        // Two lease times after that window began, it is not the last window any more: forgotten.
        _time.Advance(TimeSpan.FromSeconds(2));
        await front.TakeAsync(Kind, App, "a");
        Assert.Equal([1, 2, 3, 3, 3, 1], buckets.Leases.Select(l => l.Wanted));
    }

    [Fact]
    public async Task A_request_whose_own_lease_was_refused_counts_once_toward_the_next_lease()
    {
        var answers = new Queue<RateLease>([Refused(TimeSpan.FromMilliseconds(500)), Granted(1)]);
        var buckets = new ScriptedBuckets((_, _) => Task.FromResult(answers.Dequeue()));
        var front = FrontEnd(buckets);

        var refused = await front.TakeAsync(Kind, App, "a");
        Assert.Equal(new RateDecision(false, TimeSpan.FromMilliseconds(500), Pace), refused);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True((await front.TakeAsync(Kind, App, "a")).Allowed);
        // Two requests in this lease time, not three: the refused one looked twice (before and after its lease).
        Assert.Equal([1, 2], buckets.Leases.Select(l => l.Wanted));
    }

    [Fact]
    public async Task Requests_waiting_on_another_requests_lease_share_its_refusal()
    {
        var answer = new TaskCompletionSource<RateLease>(TaskCreationOptions.RunContinuationsAsynchronously);
        var front = FrontEnd(new ScriptedBuckets((_, _) => answer.Task), Patient);
        var asking = front.TakeAsync(Kind, App, "a").AsTask();
        var waiting = front.TakeAsync(Kind, App, "a").AsTask();
        answer.SetResult(Refused(TimeSpan.FromSeconds(5)));
        var decisions = await Task.WhenAll(asking, waiting).WithinAsync(TimeSpan.FromSeconds(10), "both requests hearing the refused lease");
        Assert.All(decisions, d => Assert.Equal(new RateDecision(false, TimeSpan.FromSeconds(5), Pace), d));
        Assert.Equal(1, front.GrainCalls);
    }

    [Fact]
    public async Task Requests_waiting_on_another_requests_lease_hear_that_no_rule_applies_without_asking_again()
    {
        var answer = new TaskCompletionSource<RateLease>(TaskCreationOptions.RunContinuationsAsynchronously);
        var buckets = new ScriptedBuckets((_, _) => answer.Task);
        var front = FrontEnd(buckets, Patient);
        var asking = front.TakeAsync("NoRuleKind", App, "a").AsTask();
        var waiting = front.TakeAsync("NoRuleKind", App, "a").AsTask();
        answer.SetResult(RateLease.None);
        var decisions = await Task.WhenAll(asking, waiting).WithinAsync(TimeSpan.FromSeconds(10), "both requests hearing the unlimited lease");
        Assert.All(decisions, d => Assert.Equal(RateDecision.Unlimited, d));
        Assert.Equal(1, front.GrainCalls);
        Assert.Single(buckets.Leases);
    }

    [Fact]
    public async Task A_lease_that_fails_unexpectedly_fails_every_request_waiting_on_it_and_the_next_request_asks_again()
    {
        var answer = new TaskCompletionSource<RateLease>(TaskCreationOptions.RunContinuationsAsynchronously);
        var front = FrontEnd(new ScriptedBuckets((_, _) => answer.Task), Patient);
        var asking = front.TakeAsync(Kind, App, "a").AsTask();
        var waiting = front.TakeAsync(Kind, App, "a").AsTask();
        answer.SetException(new InvalidOperationException("the bucket broke"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => asking.WithinAsync(TimeSpan.FromSeconds(10), "the asking request failing"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WithinAsync(TimeSpan.FromSeconds(10), "the waiting request failing"));

        answer = new TaskCompletionSource<RateLease>();
        answer.SetResult(Granted(1));
        Assert.True((await front.TakeAsync(Kind, App, "a")).Allowed);
        Assert.Equal(2, front.GrainCalls);
    }

    [Fact]
    public async Task A_bucket_that_times_out_admits_one_lease_and_is_counted_as_unavailable_under_its_kind()
    {
        // A kind of this test's own: tests running alongside cannot add to what the listener sees.
        var kind = "Kind-" + Guid.NewGuid().ToString("N");
        long unavailable = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == FrontEndMetrics.MeterName && instrument.Name == "scanlogin.rate_limiter.unavailable") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "kind" && Equals(tag.Value, kind)) Interlocked.Add(ref unavailable, value);
        });
        listener.Start();

        var front = FrontEnd(new ScriptedBuckets((_, _) => Task.FromException<RateLease>(new TimeoutException())));
        for (var i = 0; i < 3; i++) Assert.True((await front.TakeAsync(kind, App, "a")).Allowed);
        // Leases as large as the demand: one, two (the second spent by the third request).
        Assert.Equal(2, front.GrainCalls);
        Assert.Equal(2, Interlocked.Read(ref unavailable));
    }

    /// <summary>
    /// The cluster as a front end sees it, every limiter grain answering a lease with <paramref name="lease"/> (given the key
    /// and the permits wanted) and a peek with <paramref name="peek"/>; it records the leases asked for.
    /// </summary>
    private sealed class ScriptedBuckets(Func<string, int, Task<RateLease>> lease, Func<string, RateDecision>? peek = null)
    {
        private readonly ConcurrentQueue<(string Key, int Wanted)> _leases = new();
        private int _peeks;

        public IReadOnlyList<(string Key, int Wanted)> Leases => [.. _leases];

        public int Peeks => Volatile.Read(ref _peeks);

        public IGrainFactory Factory => Proxy<IGrainFactory>((method, args) =>
            method.Name == nameof(IGrainFactory.GetGrain) && method.IsGenericMethod
            && method.GetGenericArguments()[0] == typeof(IRateLimitGrain) && args is [string key, ..]
                ? Bucket(key)
                : throw new NotSupportedException($"{method.Name}: not a limiter grain"));

        private IRateLimitGrain Bucket(string key) => Proxy<IRateLimitGrain>((method, args) =>
        {
            switch (method.Name)
            {
                case nameof(IRateLimitGrain.LeaseAsync):
                    var wanted = (int)args![0]!;
                    _leases.Enqueue((key, wanted));
                    return new ValueTask<RateLease>(lease(key, wanted));
                case nameof(IRateLimitGrain.PeekAsync) when peek is not null:
                    Interlocked.Increment(ref _peeks);
                    return new ValueTask<RateDecision>(peek(key));
                default:
                    throw new NotSupportedException($"{method.Name}: not scripted");
            }
        });

        private static T Proxy<T>(Func<System.Reflection.MethodInfo, object?[]?, object?> invoke) where T : class
        {
            var proxy = System.Reflection.DispatchProxy.Create<T, LeasedLimiterTests.Forwarder>();
            ((LeasedLimiterTests.Forwarder)(object)proxy).Handler = invoke;
            return proxy;
        }
    }
}
