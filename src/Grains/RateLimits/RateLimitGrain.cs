using Microsoft.Extensions.Options;

namespace ScanLogin.Grains.RateLimits;

/// <summary>
/// One bucket, in memory only: losing it with its silo just hands a client a fresh burst, which costs less than
/// a storage write per request. It stays active while it still remembers something (a bucket not yet full) and
/// is collected soon after, so millions of polled tickets leave nothing behind.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class RateLimitGrain(IOptionsMonitor<RateLimitOptions> options, RateLimitClock clock) : Grain, IRateLimitGrain
{
    private TokenBucket? _bucket;
    private RateLimitRule? _rule;
    private bool _resolved;

    async ValueTask<RateDecision> IRateLimitGrain.TryTakeAsync()
    {
        if (await GetBucketAsync() is not { } bucket) return RateDecision.Unlimited;
        var now = clock.Now;
        var decision = bucket.TryTake(now);
        // Forgetting the bucket before it has refilled would hand out a fresh burst early.
        DelayDeactivation(bucket.UntilFull(now));
        return decision;
    }

    async ValueTask<RateDecision> IRateLimitGrain.PeekAsync() =>
        await GetBucketAsync() is { } bucket ? bucket.Peek(clock.Now) : RateDecision.Unlimited;

    async ValueTask<RateLease> IRateLimitGrain.LeaseAsync(int wanted)
    {
        if (await GetBucketAsync() is not { } bucket) return RateLease.None;
        var now = clock.Now;
        var (granted, decision) = bucket.TryTake(now, Math.Min(wanted, options.CurrentValue.LeaseCap(_rule!)));
        DelayDeactivation(bucket.UntilFull(now));
        return new RateLease(granted, decision.RetryAfter, decision.Interval, Unlimited: false);
    }

    private async ValueTask<TokenBucket?> GetBucketAsync()
    {
        if (_resolved) return _bucket;
        var settings = options.CurrentValue;
        var (kind, applicationId, _) = RateLimitKeys.Parse(this.GetPrimaryKeyString());
        if (settings.Enabled)
        {
            // A ticket's reads are counted here only for ids with no ticket behind them (ITicketGrain.LeaseReadsAsync keeps
            // the bucket of a real ticket): the platform's rule, there being no application to ask.
            // Pool overrides need the application's pool: asked once per bucket, not per request.
            var poolId = applicationId is not null && settings.Pools.Count > 0 && !settings.Lifted
                ? (await GrainFactory.GetGrain<IApplicationGrain>(applicationId).GetAsync())?.PoolId
                : null;
            if (settings.RuleFor(kind, applicationId, poolId) is { Burst: > 0 } rule)
                (_rule, _bucket) = (rule, new TokenBucket(rule.Burst, rule.PerMinute, clock.Now));
        }
        _resolved = true;
        return _bucket;
    }
}
