namespace ScanLogin.Grains.RateLimits;

/// <summary>
/// Login codes a ticket may send to WeChat (<see cref="RateLimitKeys.ScanAttemptsPerTicket"/>): counted by the ticket's own
/// activation before jscode2session is called, so junk codes aimed at one ticket cannot spend the tenant's WeChat quota.
/// The bucket lives in the activation (no grain call, no storage); losing it with the activation hands out a fresh burst,
/// no more than a new ticket would.
/// </summary>
public static class ScanAttempts
{
    /// <summary>Takes one attempt from <paramref name="bucket"/> (made at the first attempt); a failure when none is left.</summary>
    public static Failure? Take(ref TokenBucket? bucket, RateLimitOptions settings, string applicationId, string poolId, DateTimeOffset now)
    {
        if (settings.RuleFor(RateLimitKeys.ScanAttemptsPerTicket, applicationId, poolId) is not { Burst: > 0 } rule) return null;
        var decision = (bucket ??= new TokenBucket(rule.Burst, rule.PerMinute, now)).TryTake(now);
        return decision.Allowed ? null : new Failure(FailureCodes.RateLimited,
            $"Too many scans of this ticket; try again in {Math.Ceiling(decision.RetryAfter.TotalSeconds)} s.") { RetryAfter = decision.RetryAfter };
    }
}
