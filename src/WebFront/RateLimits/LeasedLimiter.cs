using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.RateLimits;

/// <summary>
/// A front end's side of the shared buckets. Asking a limiter grain for every request cost a cluster round trip each;
/// instead a front end leases a few permits from the key's grain and spends them locally for
/// <see cref="RateLimitOptions.LeaseTime"/>, sizing the next lease by the demand it saw since the last one (a key asked
/// once in a while leases one permit, so a lease rarely lapses unspent). The buckets stay the only source of permits,
/// so the bound is exact across front ends: what they admit together never exceeds what the bucket handed out, and in
/// any window of length w that is at most Burst + PerMinute x (w + LeaseTime) / 60. A permit a front end leased but did
/// not spend lapses with its lease (the client is refused a little early, never admitted late).
/// A refusal is remembered until the permit it named is due (no permit can come sooner), so a client hammering a refused
/// key costs no cluster call either; a kind and application without a rule is remembered for
/// <see cref="RateLimitOptions.RuleCacheTime"/> and then costs nothing at all.
/// A bucket that does not answer within <see cref="RateLimitOptions.CallTimeout"/> (its silo died and the cluster has not
/// yet declared it dead) fails open: the front end admits one lease's worth per lease time for that key and counts it in
/// <c>scanlogin_rate_limiter_unavailable_total</c>; the bound above holds again once the bucket answers.
/// </summary>
public sealed class LeasedLimiter(IGrainFactory cluster, IOptionsMonitor<RateLimitOptions> options, RateLimitClock clock)
{
    private const int SweepAbove = 4096;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Kind, string? AppId), DateTimeOffset> _unlimited = new();
    private DateTimeOffset _nextSweep;

    private long _calls;

    /// <summary>Keys this front end holds state for (leases, remembered refusals): bounded by the sweep.</summary>
    public int TrackedKeys => _slots.Count;

    /// <summary>Limiter grain calls this front end has made (leases and peeks).</summary>
    public long GrainCalls => Interlocked.Read(ref _calls);

    /// <summary>Takes one permit of the key's bucket: from this front end's lease, or by leasing more.</summary>
    public async ValueTask<RateDecision> TakeAsync(string kind, string? applicationId, string subject)
    {
        var settings = options.CurrentValue;
        if (!settings.Enabled || IsUnlimited(kind, applicationId)) return RateDecision.Unlimited;
        var key = RateLimitKeys.Of(kind, applicationId, subject);
        Sweep();
        for (var counted = false; ; counted = true)
        {
            var slot = _slots.GetOrAdd(key, static _ => new Slot());
            TaskCompletionSource<RateLease>? mine = null;
            Task<RateLease> pending;
            int wanted;
            lock (slot)
            {
                var now = clock.Now;
                if (!counted) slot.Arrive(now, settings.LeaseTime);
                if (slot.TrySpend(now) is { } decided) return decided;
                wanted = Math.Clamp(slot.Demand, 1, Math.Max(1, settings.MaxLease));
                if (slot.Pending is null)
                {
                    mine = new TaskCompletionSource<RateLease>(TaskCreationOptions.RunContinuationsAsynchronously);
                    slot.Pending = mine.Task;
                }
                pending = slot.Pending;
            }
            if (mine is not null)
            {
                // The request that asked takes the first permit itself: every lease serves at least one request, however
                // short LeaseTime is or slow this machine.
                var own = await LeaseAsync(slot, key, kind, applicationId, subject, wanted, settings, mine);
                if (own.Unlimited) return RateDecision.Unlimited;
                if (own.Granted > 0) return new RateDecision(true, TimeSpan.Zero, own.Interval);
                continue;
            }
            if ((await pending).Unlimited) return RateDecision.Unlimited;
            // The lease has landed (or was refused): spend from it, or lease again if others spent it first.
        }
    }

    /// <summary>The refusal this front end remembers for the key, if any: no cluster call (null: nothing refused lately).</summary>
    public RateDecision? Remembered(string kind, string? applicationId, string subject)
    {
        if (!_slots.TryGetValue(RateLimitKeys.Of(kind, applicationId, subject), out var slot)) return null;
        lock (slot) return slot.Peek(clock.Now) is { Allowed: false } refused ? refused : null;
    }

    /// <summary>Whether the key's bucket has a permit, taking none (admin authentication: only failures take).</summary>
    public async ValueTask<RateDecision> PeekAsync(string kind, string? applicationId, string subject)
    {
        if (!options.CurrentValue.Enabled || IsUnlimited(kind, applicationId)) return RateDecision.Unlimited;
        var key = RateLimitKeys.Of(kind, applicationId, subject);
        if (_slots.TryGetValue(key, out var known))
            lock (known)
                if (known.Peek(clock.Now) is { } decided) return decided;
        Interlocked.Increment(ref _calls);
        var decision = await cluster.GetGrain<IRateLimitGrain>(key).PeekAsync();
        if (decision.Interval == TimeSpan.Zero) _unlimited[(kind, applicationId)] = clock.Now + options.CurrentValue.RuleCacheTime;
        else if (!decision.Allowed)
        {
            var slot = _slots.GetOrAdd(key, static _ => new Slot());
            lock (slot) slot.Refuse(clock.Now, decision.RetryAfter, decision.Interval);
        }
        return decision;
    }

    private async Task<RateLease> LeaseAsync(Slot slot, string key, string kind, string? applicationId, string subject, int wanted,
        RateLimitOptions settings, TaskCompletionSource<RateLease> done)
    {
        RateLease lease;
        Interlocked.Increment(ref _calls);
        try
        {
            // A ticket's reads are counted by the ticket grain itself, which a read activates anyway.
            var leasing = kind == RateLimitKeys.StatusReadsPerTicket && applicationId is null
                ? cluster.GetGrain<ITicketGrain>(subject).LeaseReadsAsync(wanted)
                : cluster.GetGrain<IRateLimitGrain>(key).LeaseAsync(wanted);
            lease = await leasing.AsTask().WaitAsync(settings.CallTimeout);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or System.Net.Sockets.SocketException)
        {
            // The bucket's silo is gone or stuck (until the cluster declares it dead, calls to it fail or hang): a limiter
            // must not take logins down with it. Admit this lease's worth, as if leased, and ask again when it lapses.
            FrontEndMetrics.LimiterUnavailable(kind);
            lease = new RateLease(wanted, TimeSpan.Zero, TimeSpan.Zero, Unlimited: false);
        }
        catch (Exception e)
        {
            lock (slot) slot.Pending = null;
            done.SetException(e);
            throw;
        }
        var now = clock.Now;
        if (lease.Unlimited) _unlimited[(kind, applicationId)] = now + settings.RuleCacheTime;
        lock (slot)
        {
            slot.Pending = null;
            if (lease.Granted > 0) slot.Grant(now, lease.Granted - 1, now + settings.LeaseTime, lease.Interval);
            else if (!lease.Unlimited) slot.Refuse(now, lease.RetryAfter, lease.Interval);
        }
        done.SetResult(lease);
        return lease;
    }

    private bool IsUnlimited(string kind, string? applicationId) =>
        _unlimited.TryGetValue((kind, applicationId), out var until) && until > clock.Now;

    /// <summary>Forgets keys with nothing left to remember (lease lapsed, refusal over), at most once a second.</summary>
    private void Sweep()
    {
        var now = clock.Now;
        if (_slots.Count <= SweepAbove || now < _nextSweep) return;
        _nextSweep = now + TimeSpan.FromSeconds(1);
        foreach (var (key, slot) in _slots)
            lock (slot)
                if (slot.IsIdle(now)) _slots.TryRemove(new KeyValuePair<string, Slot>(key, slot));
        foreach (var (key, until) in _unlimited)
            if (until <= now) _unlimited.TryRemove(new KeyValuePair<(string, string?), DateTimeOffset>(key, until));
    }

    /// <summary>One key on this front end: its leased permits, or the refusal it heard. Guarded by its own lock.</summary>
    private sealed class Slot
    {
        private int _permits;
        private DateTimeOffset _leaseUntil;
        private DateTimeOffset _refusedUntil;
        private TimeSpan _interval;

        private DateTimeOffset _windowStart;
        private int _thisWindow;
        private int _lastWindow;

        /// <summary>
        /// Requests for this key in a lease time, the last full window's or this one's if more: the size of the next lease,
        /// so that at a steady pace a lease is spent about when it lapses.
        /// </summary>
        public int Demand => Math.Max(_thisWindow, _lastWindow);

        public void Arrive(DateTimeOffset now, TimeSpan window)
        {
            if (now - _windowStart >= window)
            {
                _lastWindow = now - _windowStart < window * 2 ? _thisWindow : 0;
                (_windowStart, _thisWindow) = (now, 0);
            }
            _thisWindow++;
        }

        public Task<RateLease>? Pending;

        /// <summary>A permit of the lease, or the remembered refusal; null when the cluster must be asked.</summary>
        public RateDecision? TrySpend(DateTimeOffset now)
        {
            if (_permits > 0 && now < _leaseUntil)
            {
                _permits--;
                return new RateDecision(true, TimeSpan.Zero, _interval);
            }
            return now < _refusedUntil ? new RateDecision(false, _refusedUntil - now, _interval) : null;
        }

        public RateDecision? Peek(DateTimeOffset now) =>
            _permits > 0 && now < _leaseUntil ? new RateDecision(true, TimeSpan.Zero, _interval)
            : now < _refusedUntil ? new RateDecision(false, _refusedUntil - now, _interval)
            : null;

        public void Grant(DateTimeOffset now, int permits, DateTimeOffset until, TimeSpan interval) =>
            (_permits, _leaseUntil, _refusedUntil, _interval) = (permits, until, now, interval);

        public void Refuse(DateTimeOffset now, TimeSpan retryAfter, TimeSpan interval) =>
            (_permits, _refusedUntil, _interval) = (0, now + retryAfter, interval);

        public bool IsIdle(DateTimeOffset now) => Pending is null && (_permits == 0 || now >= _leaseUntil) && now >= _refusedUntil;
    }
}
