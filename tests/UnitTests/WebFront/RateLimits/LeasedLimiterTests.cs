using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using ScanLogin.Grains;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using ScanLogin.WebFront.RateLimits;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

/// <summary>
/// Leased permits against real limiter grains on an in-process cluster: two <see cref="LeasedLimiter"/>s play two front
/// ends sharing the buckets, on one fake clock (the silo's buckets and the front ends' leases).
/// </summary>
[Collection(LimiterClusterCollection.Name)]
public sealed class LeasedLimiterTests(LeasedLimiterTests.Cluster cluster)
{
    private static string Subject() => Secrets.NewId();

    private LeasedLimiter FrontEnd(RateLimitOptions? settings = null) =>
        new(cluster.Host.Client, new Fixed(settings ?? new RateLimitOptions()), new RateLimitClock(cluster.Time));

    [Fact]
    public async Task Two_front_ends_together_never_admit_more_than_the_bucket_allows()
    {
        // Platform default for status reads: a burst of 10, then 60 a minute (leases of at most 2).
        var (a, b) = (FrontEnd(), FrontEnd());
        var ticket = Subject();
        var admitted = 0;
        var attempts = 0;
        var start = cluster.Time.GetUtcNow();
        for (var step = 0; step < 300; step++)
        {
            foreach (var front in new[] { a, b, a, b, a })
            {
                attempts++;
                if ((await front.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed) admitted++;
            }
            cluster.Time.Advance(TimeSpan.FromMilliseconds(100));
        }
        var elapsed = (cluster.Time.GetUtcNow() - start).TotalSeconds;
        // The stated bound: Burst + PerMinute x (elapsed + LeaseTime) / 60.
        Assert.InRange(admitted, 1, 10 + 60 * (elapsed + 1) / 60);
        // Under steady demand little lapses unspent: close to the exact bucket's 10 + 30 s x 1/s.
        Assert.True(admitted >= 36, $"admitted {admitted} of an exact bucket's 40");
        // Refusals are remembered until the next permit is due: far fewer cluster calls than requests.
        Assert.True(a.GrainCalls + b.GrainCalls < attempts / 4, $"{a.GrainCalls + b.GrainCalls} calls for {attempts} requests");
    }

    [Fact]
    public async Task A_busy_key_costs_a_call_per_lease_not_per_request()
    {
        var front = FrontEnd();
        var app = "app-" + Guid.NewGuid().ToString("N")[..8];
        // Platform default per application: 5000 at once, then 60,000 a minute; 2,000 requests over two seconds.
        for (var i = 0; i < 2000; i++)
        {
            Assert.True((await front.TakeAsync(RateLimitKeys.TicketsPerApplication, app, app)).Allowed);
            cluster.Time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.True(front.GrainCalls < 100, $"{front.GrainCalls} calls for 2000 requests");
    }

    [Fact]
    public async Task Concurrent_requests_share_one_lease_call()
    {
        var front = FrontEnd();
        var app = "app-" + Guid.NewGuid().ToString("N")[..8];
        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => front.TakeAsync(RateLimitKeys.TicketsPerApplication, app, app).AsTask()));
        Assert.All(decisions, d => Assert.True(d.Allowed));
        Assert.True(front.GrainCalls < 50, $"{front.GrainCalls} calls for 200 concurrent requests");
    }

    [Fact]
    public async Task A_kind_without_a_rule_costs_one_call_then_none()
    {
        var front = FrontEnd();
        for (var i = 0; i < 100; i++) Assert.True((await front.TakeAsync("NoRuleForThisKind", "app-x", Subject())).Allowed);
        Assert.Equal(1, front.GrainCalls);
        // Switched off entirely: no call at all.
        var off = FrontEnd(new RateLimitOptions { Enabled = false });
        Assert.True((await off.TakeAsync(RateLimitKeys.TicketsPerClientIp, "app-x", "198.51.100.1")).Allowed);
        Assert.Equal(0, off.GrainCalls);
    }

    [Fact]
    public async Task A_refused_key_costs_no_call_until_its_next_permit_and_is_then_served()
    {
        var front = FrontEnd();
        var ticket = Subject();
        var admitted = 0;
        for (var i = 0; i < 12; i++) if ((await front.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed) admitted++;
        Assert.Equal(10, admitted);
        var calls = front.GrainCalls;
        RateDecision refused = default!;
        for (var i = 0; i < 500; i++) refused = await front.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Interval);
        Assert.Equal(calls, front.GrainCalls);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await front.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed);
        // The other front end shares the bucket: nothing is left for it either.
        Assert.False((await FrontEnd().TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed);
    }

    [Fact]
    public async Task Peeking_takes_nothing_and_remembers_a_refusal()
    {
        var (a, b) = (FrontEnd(), FrontEnd());
        var address = "203.0.113." + Random.Shared.Next(1, 250);
        for (var i = 0; i < 5; i++) Assert.True((await a.PeekAsync(RateLimitKeys.AdminAuthFailuresPerClientIp, null, address)).Allowed);
        // Ten failures (the default burst), spread over both front ends.
        for (var i = 0; i < 10; i++) Assert.True((await (i % 2 == 0 ? a : b).TakeAsync(RateLimitKeys.AdminAuthFailuresPerClientIp, null, address)).Allowed);
        var refused = await a.PeekAsync(RateLimitKeys.AdminAuthFailuresPerClientIp, null, address);
        Assert.False(refused.Allowed);
        var calls = a.GrainCalls;
        Assert.False((await a.PeekAsync(RateLimitKeys.AdminAuthFailuresPerClientIp, null, address)).Allowed);
        Assert.Equal(calls, a.GrainCalls);
        cluster.Time.Advance(refused.RetryAfter);
        Assert.True((await b.PeekAsync(RateLimitKeys.AdminAuthFailuresPerClientIp, null, address)).Allowed);
    }

    [Fact]
    public async Task A_bucket_that_does_not_answer_in_time_fails_open_for_one_lease()
    {
        var ticket = Subject();
        var healthy = FrontEnd();
        for (var i = 0; i < 10; i++) Assert.True((await healthy.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed);
        Assert.False((await healthy.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed);
        // A front end whose bucket never answers (as a silo that died before the cluster declared it dead): logins go on,
        // one lease at a time. Not CallTimeout = 0 against the live bucket: on a busy machine its (refusing) answer could
        // land before the zero timeout was even checked, and the test then saw a refusal.
        var silent = new SilentBuckets(cluster.Host.Client);
        var cut = new LeasedLimiter(silent.Factory, new Fixed(new RateLimitOptions { CallTimeout = TimeSpan.FromMilliseconds(50) }),
            new RateLimitClock(cluster.Time));
        Assert.True((await cut.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed);
        Assert.Equal(1, cut.GrainCalls);
        cluster.Time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True((await cut.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed);
        Assert.Equal(2, cut.GrainCalls);
        Assert.Equal(2, silent.Asked);
    }

    [Fact]
    public async Task Without_a_lease_time_each_lease_still_serves_the_request_that_asked()
    {
        var ticket = Subject();
        var front = FrontEnd(new RateLimitOptions { LeaseTime = TimeSpan.Zero });
        for (var i = 0; i < 6; i++) Assert.True((await front.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed);
        // Leases of up to two, the second permit lapsing at once: the ten of the burst are gone after at most ten calls.
        var admitted = 6;
        while ((await front.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, ticket)).Allowed) admitted++;
        Assert.InRange(admitted, 6, 10);
        Assert.InRange(front.GrainCalls, admitted, 11);
    }


    [Fact]
    public async Task A_real_tickets_reads_are_counted_by_the_ticket_under_its_applications_rule_with_no_second_activation()
    {
        var (a, b) = (FrontEnd(), FrontEnd());
        var slow = await cluster.StoredTicketAsync(SlowPollApp);
        var plain = await cluster.StoredTicketAsync("app-" + Guid.NewGuid().ToString("N")[..8]);

        // The application's own rule (a burst of 3), shared by both front ends; the refusal names its pace (30 a minute).
        var admitted = 0;
        for (var i = 0; i < 8; i++) if ((await (i % 2 == 0 ? a : b).TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, slow)).Allowed) admitted++;
        Assert.Equal(3, admitted);
        var refused = await b.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, slow);
        Assert.Equal((false, TimeSpan.FromSeconds(2)), (refused.Allowed, refused.Interval));
        // Another application's ticket: the platform's rule (a burst of 10).
        admitted = 0;
        for (var i = 0; i < 14; i++) if ((await a.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, plain)).Allowed) admitted++;
        Assert.Equal(10, admitted);
        cluster.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await a.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, slow)).Allowed);

        // The ticket grain kept both buckets: no limiter grain was activated for either ticket, while an id with no
        // ticket behind it is still limited by one.
        Assert.False(await cluster.HasLimiterActivationAsync(slow));
        Assert.False(await cluster.HasLimiterActivationAsync(plain));
        var guessed = Subject();
        Assert.True((await a.TakeAsync(RateLimitKeys.StatusReadsPerTicket, null, guessed)).Allowed);
        Assert.True(await cluster.HasLimiterActivationAsync(guessed));
    }

    /// <summary>Its tickets' reads: a burst of 3, then 30 a minute.</summary>
    public const string SlowPollApp = "slow-poll-app";

    /// <summary>Its own rule turns status-read limits off for its tickets only.</summary>
    public const string UnlimitedReadsApp = "unlimited-reads-app";

    /// <summary>One silo with the limiter grains on a fake clock.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        private static FakeTimeProvider? s_time;

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public TestCluster Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            s_time = Time;
            var builder = new TestClusterBuilder(1);
            builder.AddSiloBuilderConfigurator<Configurator>();
            Host = builder.Build();
            await Host.DeployAsync();
        }

        public async Task DisposeAsync()
        {
            await Host.StopAllSilosAsync();
            await Host.DisposeAsync();
        }

        /// <summary>A ticket stored as the ticket desk would store it, for <paramref name="appId"/>.</summary>
        public async Task<string> StoredTicketAsync(string appId)
        {
            var id = Secrets.NewId();
            var opening = new TicketOpening(appId, "wechat", new Requester("198.51.100.7", null, null), "hash");
            var ticket = TicketLifecycle.Open(id, opening, "pool-x", "App", "WeChat", TimeSpan.FromMinutes(10), Time.GetUtcNow());
            var store = ((InProcessSiloHandle)Host.Primary!).SiloHost.Services.GetRequiredService<ITicketStore>();
            Assert.True(await store.WriteAsync(ticket, 0, ticket.ConfirmBy.AddMinutes(2)));
            return id;
        }

        /// <summary>Whether a limiter grain is active for a key of <paramref name="subject"/>.</summary>
        public async Task<bool> HasLimiterActivationAsync(string subject) =>
            (await Host.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .Any(s => s.GrainType.Contains("RateLimitGrain") && s.GrainId.Key.ToString()!.EndsWith("|" + subject, StringComparison.Ordinal));

        private sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder silo)
            {
                // The product's grains, for the ticket grain that keeps a real ticket's read bucket; one application with
                // a read rule of its own.
                var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["ScanLogin:Keys:SecretEncryptionKey"] = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()),
                    [$"ScanLogin:RateLimits:Applications:{SlowPollApp}:StatusReadsPerTicket:Burst"] = "3",
                    [$"ScanLogin:RateLimits:Applications:{SlowPollApp}:StatusReadsPerTicket:PerMinute"] = "30",
                    [$"ScanLogin:RateLimits:Applications:{UnlimitedReadsApp}:StatusReadsPerTicket:Burst"] = "0",
                }).Build();
                silo.AddMemoryGrainStorage(StorageNames.Configuration);
                silo.Services.AddSingleton(new RateLimitClock(s_time!));
                silo.Services.AddSingleton(new ProductClock(s_time!));
                silo.Services.AddScanLoginGrains(configuration);
            }
        }
    }

    /// <summary>
    /// The cluster as a front end sees it while the silo holding the buckets hangs: every lease call to a ticket or
    /// limiter grain stays unanswered; everything else goes to the real cluster.
    /// </summary>
    private sealed class SilentBuckets(IGrainFactory real)
    {
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public IGrainFactory Factory => Proxy<IGrainFactory>((method, args) =>
        {
            var grain = method.Invoke(real, args);
            return method.Name == nameof(IGrainFactory.GetGrain) && method.IsGenericMethod
                && method.GetGenericArguments()[0] is var type && (type == typeof(ITicketGrain) || type == typeof(IRateLimitGrain))
                ? type == typeof(ITicketGrain) ? Silent<ITicketGrain>(grain!) : Silent<IRateLimitGrain>(grain!)
                : grain;
        });

        private T Silent<T>(object grain) where T : class => Proxy<T>((method, args) =>
        {
            if (method.Name is nameof(ITicketGrain.LeaseReadsAsync) or nameof(IRateLimitGrain.LeaseAsync))
            {
                Interlocked.Increment(ref _asked);
                return new ValueTask<RateLease>(new TaskCompletionSource<RateLease>().Task);
            }
            return method.Invoke(grain, args);
        });

        private static T Proxy<T>(Func<System.Reflection.MethodInfo, object?[]?, object?> invoke) where T : class
        {
            var proxy = System.Reflection.DispatchProxy.Create<T, Forwarder>();
            ((Forwarder)(object)proxy).Handler = invoke;
            return proxy;
        }
    }

    public class Forwarder : System.Reflection.DispatchProxy
    {
        public Func<System.Reflection.MethodInfo, object?[]?, object?> Handler { get; set; } = null!;

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) => Handler(targetMethod!, args);
    }

    internal sealed class Fixed(RateLimitOptions value) : IOptionsMonitor<RateLimitOptions>
    {
        public RateLimitOptions CurrentValue => value;
        public RateLimitOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<RateLimitOptions, string?> listener) => null;
    }
}

/// <summary>One limiter cluster for every class that uses it: the silo reads its clock from a static when it is built.</summary>
[CollectionDefinition(Name)]
public sealed class LimiterClusterCollection : ICollectionFixture<LeasedLimiterTests.Cluster>
{
    public const string Name = "limiter cluster";
}
