namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// Abuse limits (section "ScanLogin:RateLimits"): platform defaults, overridden per user pool and then per
/// application (<c>Pools:{poolId}:{Kind}</c>, <c>Applications:{appId}:{Kind}</c>). The rules are read by the silos, which
/// own the buckets; the lease settings by the front ends, which spend leased permits.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "ScanLogin:RateLimits";

    /// <summary>What <see cref="Lifted"/> turns every rule into: more than any benchmark asks of one key.</summary>
    public static readonly RateLimitRule LiftedRule = new() { Burst = 100_000_000, PerMinute = 100_000_000 };

    /// <summary>Off: every request is allowed, and no limiter grain is asked.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Benchmarks and test crowds from one address: every kind's rule becomes <see cref="LiftedRule"/>, overrides
    /// included. Unlike <see cref="Enabled"/>=false the limiters still run, so their cost stays in the figures.
    /// </summary>
    public bool Lifted { get; set; }

    /// <summary>How long a front end may spend permits it leased before they lapse (front ends).</summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most permits a front end asks for at once; a lease is also never more than a quarter of the burst.</summary>
    public int MaxLease { get; set; } = 64;

    /// <summary>How long a front end waits for a bucket before admitting without it (its silo may have died).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a front end trusts that a kind and application have no rule (no call at all meanwhile).</summary>
    public TimeSpan RuleCacheTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a front end answers an id the cluster did not know (a ticket, an application) from memory.</summary>
    public TimeSpan UnknownIdCacheTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The configuration that lifts every abuse limit: the one switch benchmarks and test fixtures use (deploy/lib.sh has its twin).</summary>
    public static IReadOnlyDictionary<string, string?> LiftedSettings { get; } = new Dictionary<string, string?> { [$"{Section}:{nameof(Lifted)}"] = "true" };

    public RateLimitRules Defaults { get; set; } = RateLimitRules.PlatformDefaults();

    public Dictionary<string, RateLimitRules> Pools { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, RateLimitRules> Applications { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The application's rule, else its pool's, else the platform's; null means unlimited.</summary>
    public RateLimitRule? RuleFor(string kind, string? applicationId, string? poolId) =>
        !Enabled ? null
        : Lifted ? (RateLimitKeys.All.Contains(kind) ? LiftedRule : null)
        : (applicationId is not null && Applications.TryGetValue(applicationId, out var app) ? app.Of(kind) : null)
        ?? (poolId is not null && Pools.TryGetValue(poolId, out var pool) ? pool.Of(kind) : null)
        ?? Defaults.Of(kind);

    /// <summary>Whether some pool or application has its own rule of this kind (then a bucket must learn whose it is).</summary>
    public bool HasOverrides(string kind) => Pools.Values.Concat(Applications.Values).Any(rules => rules.Of(kind) is not null);

    /// <summary>Permits one lease may carry under <paramref name="rule"/>: a quarter of the burst, so front ends share it.</summary>
    public int LeaseCap(RateLimitRule rule) => Math.Max(1, Math.Min(MaxLease, rule.Burst / 4));
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
    public RateLimitRule? BindingAttemptsPerClientIp { get; set; }
    public RateLimitRule? TokenRequestsPerClientIp { get; set; }
    public RateLimitRule? ScanAttemptsPerTicket { get; set; }
    public RateLimitRule? QrImagesPerClientIp { get; set; }
    public RateLimitRule? UnknownIdsPerClientIp { get; set; }
    public RateLimitRule? MiniProgramLoginsPerClientIp { get; set; }
    public RateLimitRule? MiniProgramLoginsPerApplication { get; set; }
    public RateLimitRule? WeChatLinksPerClientIp { get; set; }
    public RateLimitRule? WeChatLinksPerApplication { get; set; }

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
        // Passwords typed into a binding form: the ticket (5) and the account (lock after 5) count too; this stops one
        // address spreading guesses over many tickets and accounts.
        BindingAttemptsPerClientIp = new() { Burst = 20, PerMinute = 10 },
        // Token requests come from a site's backend, one address for all its users: sized for a busy site.
        TokenRequestsPerClientIp = new() { Burst = 1000, PerMinute = 60000 },
        // Login codes sent to WeChat for one ticket: a person scans once or twice; junk codes must not spend the
        // tenant's WeChat quota (jscode2session), so this is counted by the ticket before WeChat is asked.
        ScanAttemptsPerTicket = new() { Burst = 5, PerMinute = 5 },
        // QR pictures (PNG, SVG, data URL) per address: a login page shows one per ticket, a new ticket every minute or two.
        QrImagesPerClientIp = new() { Burst = 60, PerMinute = 60 },
        // Ticket and application ids that turned out not to exist: a typo or an expired ticket now and then, not a scan of ids.
        UnknownIdsPerClientIp = new() { Burst = 20, PerMinute = 20 },
        // Logins inside the mini program: a person opens it a few times a day, but carrier NAT puts many behind one address.
        MiniProgramLoginsPerClientIp = new() { Burst = 60, PerMinute = 120 },
        MiniProgramLoginsPerApplication = new() { Burst = 5000, PerMinute = 60000 },
        // "Open in WeChat" links: WeChat makes at most 500,000 a day per mini program; 300 a minute stays under it.
        WeChatLinksPerClientIp = new() { Burst = 20, PerMinute = 10 },
        WeChatLinksPerApplication = new() { Burst = 500, PerMinute = 300 },
    };

    public RateLimitRule? Of(string kind) => kind switch
    {
        RateLimitKeys.TicketsPerClientIp => TicketsPerClientIp,
        RateLimitKeys.TicketsPerApplication => TicketsPerApplication,
        RateLimitKeys.StatusReadsPerTicket => StatusReadsPerTicket,
        RateLimitKeys.PhoneAttemptsPerClientIp => PhoneAttemptsPerClientIp,
        RateLimitKeys.PhoneAttemptsPerWeChatUser => PhoneAttemptsPerWeChatUser,
        RateLimitKeys.AdminAuthFailuresPerClientIp => AdminAuthFailuresPerClientIp,
        RateLimitKeys.BindingAttemptsPerClientIp => BindingAttemptsPerClientIp,
        RateLimitKeys.TokenRequestsPerClientIp => TokenRequestsPerClientIp,
        RateLimitKeys.ScanAttemptsPerTicket => ScanAttemptsPerTicket,
        RateLimitKeys.QrImagesPerClientIp => QrImagesPerClientIp,
        RateLimitKeys.UnknownIdsPerClientIp => UnknownIdsPerClientIp,
        RateLimitKeys.MiniProgramLoginsPerClientIp => MiniProgramLoginsPerClientIp,
        RateLimitKeys.MiniProgramLoginsPerApplication => MiniProgramLoginsPerApplication,
        RateLimitKeys.WeChatLinksPerClientIp => WeChatLinksPerClientIp,
        RateLimitKeys.WeChatLinksPerApplication => WeChatLinksPerApplication,
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
