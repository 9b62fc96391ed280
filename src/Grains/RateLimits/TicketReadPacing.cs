namespace ScanLogin.Grains.RateLimits;

/// <summary>
/// A live ticket's status reads (<see cref="RateLimitKeys.StatusReadsPerTicket"/>): the bucket lives in the ticket's own
/// activation, made at the first lease under the rule of the ticket's application (or pool, or the platform's), so a
/// status read costs no grain call beyond the ticket. Ids with nothing stored use the generic limiter grain instead.
/// </summary>
public static class TicketReadPacing
{
    /// <summary>Leases up to <paramref name="wanted"/> reads from <paramref name="bucket"/> (made at the first lease).</summary>
    public static RateLease Lease(ref TokenBucket? bucket, RateLimitOptions settings, string applicationId, string poolId, DateTimeOffset now, int wanted)
    {
        const string Kind = RateLimitKeys.StatusReadsPerTicket;
        if (settings.RuleFor(Kind, applicationId, poolId) is not { Burst: > 0 } rule)
            // "Unlimited" would make a front end skip the kind for every ticket; only this ticket's application has no rule.
            return settings.RuleFor(Kind, null, null) is null && !settings.HasOverrides(Kind)
                ? RateLease.None
                : new RateLease(Math.Max(1, wanted), TimeSpan.Zero, TimeSpan.Zero, Unlimited: false);
        var (granted, decision) = (bucket ??= new TokenBucket(rule.Burst, rule.PerMinute, now)).TryTake(now, Math.Min(wanted, settings.LeaseCap(rule)));
        return new RateLease(granted, decision.RetryAfter, decision.Interval, Unlimited: false);
    }
}
