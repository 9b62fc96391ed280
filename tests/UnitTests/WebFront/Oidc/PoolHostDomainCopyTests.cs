using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.UnitTests.RateLimits;
using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests.PoolHosts;

/// <summary>
/// A front end's copy of the verified custom domains (<see cref="ScanLogin.WebFront.Oidc.PoolHosts"/>): which hosts may be looked up
/// in it, when it is read again, and what a failed read leaves behind. The registry is scripted, so every read is counted.
/// </summary>
public sealed class PoolHostDomainCopyTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    private ScanLogin.WebFront.Oidc.PoolHosts Hosts(ScriptedRegistry registry, string publicBaseUrl = "https://login.scanlogin.example") =>
        new(Options.Create(new PoolHostOptions { PublicBaseUrl = publicBaseUrl, DomainRefresh = Refresh }), registry.Client, _time,
            NullLogger<ScanLogin.WebFront.Oidc.PoolHosts>.Instance);

    [Fact]
    public async Task The_front_ends_own_host_and_ip_literals_are_never_a_pools_custom_domain_and_cost_no_read()
    {
        // Even a registry that lists the public host (verified before the front ends moved there) does not capture the front ends' own name.
        var registry = new ScriptedRegistry(() => Task.FromResult(Domains(("login.scanlogin.example", "pool-a"), ("8.8.8.8", "pool-a"), ("shop.example", "pool-b"))));
        var hosts = Hosts(registry);
        foreach (var host in new[] { "login.scanlogin.example", "Login.ScanLogin.Example.", "login.scanlogin.example:8443", "8.8.8.8", "[2001:db8::1]" })
            Assert.Null(await hosts.MatchAsync(new HostString(host)));
        Assert.Equal(0, registry.Reads);

        Assert.Equal(new PoolHostMatch("pool-b", "https://shop.example"), await hosts.MatchAsync(new HostString("shop.example")));
        Assert.Null(await hosts.MatchAsync(new HostString("login.scanlogin.example")));
        Assert.Equal(1, registry.Reads);
    }

    [Fact]
    public async Task The_copy_is_read_again_once_exactly_the_refresh_interval_has_passed()
    {
        var verified = Domains();
        var registry = new ScriptedRegistry(() => Task.FromResult(verified));
        var hosts = Hosts(registry);
        Assert.Null(await hosts.MatchAsync(new HostString("shop.example")));
        Assert.Equal(1, registry.Reads);

        // Verified through another front end: this one follows within the refresh time, not before.
        verified = Domains(("shop.example", "pool-a"));
        _time.Advance(Refresh - TimeSpan.FromTicks(1));
        Assert.Null(await hosts.MatchAsync(new HostString("shop.example")));
        Assert.Equal(1, registry.Reads);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("pool-a", (await hosts.MatchAsync(new HostString("shop.example")))?.PoolId);
        Assert.Equal(2, registry.Reads);
    }

    [Fact]
    public async Task A_failed_read_keeps_the_last_copy_and_is_not_retried_before_the_refresh_interval()
    {
        var failing = false;
        var registry = new ScriptedRegistry(() => failing
            ? Task.FromException<VerifiedDomains>(new TimeoutException("The cluster did not answer"))
            : Task.FromResult(Domains(("shop.example", "pool-a"))));
        var hosts = Hosts(registry);
        Assert.Equal("pool-a", (await hosts.MatchAsync(new HostString("shop.example")))?.PoolId);

        failing = true;
        _time.Advance(Refresh);
        Assert.Equal("pool-a", (await hosts.MatchAsync(new HostString("shop.example")))?.PoolId);
        Assert.Null(await hosts.MatchAsync(new HostString("other.example")));
        // The failure counts as this interval's read: unknown hosts do not hammer a cluster that is not answering.
        Assert.Equal(2, registry.Reads);

        failing = false;
        _time.Advance(Refresh);
        Assert.Equal("pool-a", (await hosts.MatchAsync(new HostString("shop.example")))?.PoolId);
        Assert.Equal(3, registry.Reads);
    }

    [Fact]
    public async Task A_first_read_that_fails_leaves_every_custom_domain_without_a_pool()
    {
        var registry = new ScriptedRegistry(() => Task.FromException<VerifiedDomains>(new TimeoutException("The cluster did not answer")));
        var hosts = Hosts(registry);
        Assert.Null(await hosts.MatchAsync(new HostString("shop.example")));
        Assert.Null(await hosts.MatchAsync(new HostString("shop.example")));
        Assert.Equal(1, registry.Reads);
    }

    [Fact]
    public async Task A_cancelled_read_is_not_taken_for_a_failed_one()
    {
        var registry = new ScriptedRegistry(() => Task.FromException<VerifiedDomains>(new OperationCanceledException()));
        var hosts = Hosts(registry);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await hosts.MatchAsync(new HostString("shop.example")));
    }

    private static VerifiedDomains Domains(params (string Domain, string PoolId)[] domains) =>
        new(domains.ToDictionary(d => d.Domain, d => d.PoolId));

    /// <summary>The cluster as <see cref="ScanLogin.WebFront.Oidc.PoolHosts"/> sees it: a domain registry answering with <paramref name="read"/>, reads counted.</summary>
    private sealed class ScriptedRegistry(Func<Task<VerifiedDomains>> read)
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public IClusterClient Client => Proxy<IClusterClient>((method, _) =>
            method.Name == nameof(IGrainFactory.GetGrain) && method.IsGenericMethod && method.GetGenericArguments()[0] == typeof(IDomainRegistryGrain)
                ? Registry()
                : throw new NotSupportedException($"{method.Name}: not the domain registry"));

        private IDomainRegistryGrain Registry() => Proxy<IDomainRegistryGrain>((method, _) =>
        {
            if (method.Name != nameof(IDomainRegistryGrain.GetVerifiedAsync)) throw new NotSupportedException($"{method.Name}: not scripted");
            Interlocked.Increment(ref _reads);
            return read();
        });

        private static T Proxy<T>(Func<System.Reflection.MethodInfo, object?[]?, object?> invoke) where T : class
        {
            var proxy = System.Reflection.DispatchProxy.Create<T, LeasedLimiterTests.Forwarder>();
            ((LeasedLimiterTests.Forwarder)(object)proxy).Handler = invoke;
            return proxy;
        }
    }
}
