namespace ScanLogin.Grains.RateLimits;

/// <summary>
/// The arithmetic of one bucket, kept pure for unit tests: a token bucket written as GCRA (one "theoretical arrival
/// time" in whole ticks, so no rounding drifts). A refused request takes nothing: whoever slows to the allowed pace
/// always gets through (RFC 8628's "slow_down", never a lock-out).
/// </summary>
public sealed class TokenBucket
{
    private readonly TimeSpan _burstWindow;
    private DateTimeOffset _full;

    public TokenBucket(int burst, double perMinute, DateTimeOffset now)
    {
        Interval = TimeSpan.FromTicks((long)Math.Clamp(TimeSpan.TicksPerMinute / Math.Max(perMinute, 1e-6), 1, TimeSpan.FromDays(3650).Ticks));
        _burstWindow = Interval * (Math.Max(1, burst) - 1);
        _full = now;
    }

    /// <summary>The steady pace: one permit every this long.</summary>
    public TimeSpan Interval { get; }

    public RateDecision TryTake(DateTimeOffset now)
    {
        var decision = Peek(now);
        // The bucket is full again once every permit taken so far has been paid back at the steady pace.
        if (decision.Allowed) _full = (_full > now ? _full : now) + Interval;
        return decision;
    }

    /// <summary>
    /// Takes up to <paramref name="wanted"/> permits at once (a lease): as many as the bucket holds, none when it is empty.
    /// Taking n here leaves the bucket exactly as n single takes would.
    /// </summary>
    public (int Granted, RateDecision Decision) TryTake(DateTimeOffset now, int wanted)
    {
        var decision = Peek(now);
        if (!decision.Allowed || wanted <= 0) return (0, decision);
        var granted = (int)Math.Min(wanted, Available(now));
        _full = (_full > now ? _full : now) + Interval * granted;
        return (granted, decision);
    }

    /// <summary>Permits in the bucket now: the burst when full, none before the next permit is due.</summary>
    public long Available(DateTimeOffset now)
    {
        var nextPermit = _full - _burstWindow;
        if (now < nextPermit) return 0;
        var burst = _burstWindow.Ticks / Interval.Ticks + 1;
        return Math.Min(burst, (now - nextPermit).Ticks / Interval.Ticks + 1);
    }

    public RateDecision Peek(DateTimeOffset now)
    {
        var nextPermit = _full - _burstWindow;
        return now >= nextPermit ? new RateDecision(true, TimeSpan.Zero, Interval) : new RateDecision(false, nextPermit - now, Interval);
    }

    /// <summary>How long until the bucket is full again, i.e. until forgetting it changes nothing.</summary>
    public TimeSpan UntilFull(DateTimeOffset now) => _full > now ? _full - now : TimeSpan.Zero;
}
