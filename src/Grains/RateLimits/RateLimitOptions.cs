namespace ScanLogin.Grains.RateLimits;

/// <summary>
/// Abuse limits (section "ScanLogin:RateLimits"): platform defaults, overridden per user pool and then per
/// application (<c>Pools:{poolId}:{Kind}</c>, <c>Applications:{appId}:{Kind}</c>). Read by the silos, which own the buckets.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "ScanLogin:RateLimits";

    /// <summary>Off: every request is allowed (and no limiter grain is asked on the silo side).</summary>
    public bool Enabled { get; set; } = true;

    public RateLimitRules Defaults { get; set; } = RateLimitRules.PlatformDefaults();

    public Dictionary<string, RateLimitRules> Pools { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, RateLimitRules> Applications { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The application's rule, else its pool's, else the platform's; null means unlimited.</summary>
    public RateLimitRule? RuleFor(string kind, string? applicationId, string? poolId) =>
        (applicationId is not null && Applications.TryGetValue(applicationId, out var app) ? app.Of(kind) : null)
        ?? (poolId is not null && Pools.TryGetValue(poolId, out var pool) ? pool.Of(kind) : null)
        ?? Defaults.Of(kind);
}

/// <summary>A rule per kind of limit; unset (null) falls through to the next level.</summary>
public sealed class RateLimitRules
{
    public RateLimitRule? TicketsPerClientIp { get; set; }
    public RateLimitRule? TicketsPerApplication { get; set; }
    public RateLimitRule? StatusReadsPerTicket { get; set; }
    public RateLimitRule? PhoneAttemptsPerClientIp { get; set; }
    public RateLimitRule? PhoneAttemptsPerWeChatUser { get; set; }
    public RateLimitRule? AdminAuthFailuresPerClientIp { get; set; }

    /// <summary>
    /// Sized for people, not scripts: a PC page makes a ticket every minute or two, polls about once a second, a
    /// phone scans and confirms a few times a minute; carrier NAT puts many phones behind one address.
    /// </summary>
    public static RateLimitRules PlatformDefaults() => new()
    {
        TicketsPerClientIp = new() { Burst = 30, PerMinute = 20 },
        TicketsPerApplication = new() { Burst = 5000, PerMinute = 60000 },
        StatusReadsPerTicket = new() { Burst = 10, PerMinute = 60 },
        PhoneAttemptsPerClientIp = new() { Burst = 120, PerMinute = 600 },
        PhoneAttemptsPerWeChatUser = new() { Burst = 10, PerMinute = 10 },
        AdminAuthFailuresPerClientIp = new() { Burst = 10, PerMinute = 6 },
    };

    public RateLimitRule? Of(string kind) => kind switch
    {
        RateLimitKeys.TicketsPerClientIp => TicketsPerClientIp,
        RateLimitKeys.TicketsPerApplication => TicketsPerApplication,
        RateLimitKeys.StatusReadsPerTicket => StatusReadsPerTicket,
        RateLimitKeys.PhoneAttemptsPerClientIp => PhoneAttemptsPerClientIp,
        RateLimitKeys.PhoneAttemptsPerWeChatUser => PhoneAttemptsPerWeChatUser,
        RateLimitKeys.AdminAuthFailuresPerClientIp => AdminAuthFailuresPerClientIp,
        _ => null,
    };
}

/// <summary>A token bucket: up to <see cref="Burst"/> at once, refilled at <see cref="PerMinute"/> permits a minute.</summary>
public sealed class RateLimitRule
{
    public int Burst { get; set; } = 10;
    public double PerMinute { get; set; } = 60;
}

/// <summary>The limiters' clock: its own service so tests can move it without moving the silo's timers.</summary>
public sealed class RateLimitClock(TimeProvider time)
{
    public DateTimeOffset Now => time.GetUtcNow();
}
