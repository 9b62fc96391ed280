using Orleans.TestingHost;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

/// <summary>
/// A ticket's status-read bucket, kept by the ticket grain (<see cref="ITicketGrain.LeaseReadsAsync"/>): the rule of the
/// ticket's application, leases capped at a quarter of the burst, refusals with the pace, and the generic limiter grain
/// for ids with no ticket behind them. On the limiter tests' cluster (fake clock, per-application rules).
/// </summary>
[Collection(LimiterClusterCollection.Name)]
public sealed class TicketReadBucketGrainTests(LeasedLimiterTests.Cluster cluster)
{
    private ITicketGrain Ticket(string id) => cluster.Host.Client.GetGrain<ITicketGrain>(id);

    [Fact]
    public async Task A_ticket_leases_from_its_applications_rule_a_quarter_of_the_burst_at_most_and_then_names_the_pace()
    {
        var id = await cluster.StoredTicketAsync(LeasedLimiterTests.SlowPollApp);
        // A burst of 3: a lease is at most a quarter of it, and never less than one.
        var leases = new List<RateLease>();
        for (var i = 0; i < 4; i++) leases.Add(await Ticket(id).LeaseReadsAsync(10));
        Assert.Equal([1, 1, 1, 0], leases.Select(l => l.Granted));
        Assert.All(leases, l => Assert.False(l.Unlimited));
        // 30 a minute: the next permit in 2 s, and that is the pace a poller is told.
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)), (leases[3].RetryAfter, leases[3].Interval));
        cluster.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await Ticket(id).LeaseReadsAsync(10)).Granted);
        Assert.False(await cluster.HasLimiterActivationAsync(id));
    }

    [Fact]
    public async Task Other_tickets_have_the_platforms_rule_each_its_own_bucket()
    {
        var (one, other) = (await cluster.StoredTicketAsync("app-a"), await cluster.StoredTicketAsync("app-a"));
        var granted = 0;
        for (var i = 0; i < 8; i++) granted += (await Ticket(one).LeaseReadsAsync(5)).Granted;
        // A burst of 10, leases of at most 2 (a quarter of it).
        Assert.Equal(10, granted);
        Assert.Equal(2, (await Ticket(other).LeaseReadsAsync(5)).Granted);
        Assert.Equal(1, (await Ticket(other).LeaseReadsAsync(1)).Granted);
    }

    [Fact]
    public async Task An_application_without_a_rule_is_not_limited_but_not_every_ticket_is_told_unlimited()
    {
        var id = await cluster.StoredTicketAsync(LeasedLimiterTests.UnlimitedReadsApp);
        for (var i = 0; i < 20; i++)
        {
            var lease = await Ticket(id).LeaseReadsAsync(7);
            // "Unlimited" would make a front end stop counting the kind for every ticket of every application.
            Assert.Equal((7, false), (lease.Granted, lease.Unlimited));
        }
        Assert.Equal(1, (await Ticket(id).LeaseReadsAsync(0)).Granted);
    }

    [Fact]
    public async Task An_id_with_no_ticket_is_limited_by_the_limiter_grain_of_its_key()
    {
        var guessed = Secrets.NewId();
        var granted = 0;
        for (var i = 0; i < 8; i++) granted += (await Ticket(guessed).LeaseReadsAsync(5)).Granted;
        Assert.Equal(10, granted);
        Assert.True(await cluster.HasLimiterActivationAsync(guessed));
    }
}
