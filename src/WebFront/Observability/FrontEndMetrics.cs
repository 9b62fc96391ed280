using System.Diagnostics.Metrics;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Observability;

/// <summary>
/// What the front end counts (meter "ScanLogin.WebFront"): refusals by the abuse limits, browsers waiting right
/// now, and how long a confirm took to reach a waiting browser (from the ticket grain's push to the answer).
/// </summary>
public static class FrontEndMetrics
{
    public const string MeterName = "ScanLogin.WebFront";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> RateLimitedCount = Meter.CreateCounter<long>("scanlogin.http.rate_limited", "{response}",
        "Requests answered 429 by the abuse limits, by code and endpoint");
    private static readonly Counter<long> LimiterUnavailableCount = Meter.CreateCounter<long>("scanlogin.rate_limiter.unavailable", "{lease}",
        "Leases admitted without their bucket because it did not answer in time (its silo died), by kind");
    // Observed, not added to: a meter provider counts only the measurements made after it started, so one that starts
    // while browsers wait (a restarted exporter, a second host in the process) would go below zero as they leave.
    private static long waiting;
    private static readonly ObservableUpDownCounter<long> Waiting = Meter.CreateObservableUpDownCounter("scanlogin.browsers.waiting",
        () => Volatile.Read(ref waiting), "{browser}", "Browsers waiting on a ticket right now (long-poll and server-sent events)");
    private static readonly Histogram<double> ConfirmToBrowser = Meter.CreateHistogram("scanlogin.confirm_to_browser.duration", "s",
        "From the ticket grain pushing a confirm to a waiting browser getting it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    private static readonly Histogram<int> CreationBatch = Meter.CreateHistogram<int>("scanlogin.ticket_creation.batch_size", "{ticket}",
        "Tickets per creation call to the silos' ticket desk (openings that queued while the earlier calls were out travel together)",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    private static readonly Counter<long> StatusReads = Meter.CreateCounter<long>("scanlogin.status_reads", "{read}",
        "Status reads, by where they were answered: memory (the front end's pushed state) or grain (a status call, or a watch call for a ticket read by several or waited on)");
    private static readonly KeyValuePair<string, object?> FromMemory = new("answered_from", "memory");
    private static readonly KeyValuePair<string, object?> FromGrain = new("answered_from", "grain");

    public static void CreationCallSent(int tickets) => CreationBatch.Record(tickets);

    public static void ReadFromFeed() => StatusReads.Add(1, FromMemory);

    public static void ReadFromGrain() => StatusReads.Add(1, FromGrain);

    public static void RateLimited(string code, string? endpoint) =>
        RateLimitedCount.Add(1, new KeyValuePair<string, object?>("code", code), new KeyValuePair<string, object?>("endpoint", endpoint ?? "operator"));

    public static void LimiterUnavailable(string kind) => LimiterUnavailableCount.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void BrowserWaits() => Interlocked.Increment(ref waiting);

    public static void BrowserLeaves() => Interlocked.Decrement(ref waiting);

    /// <summary>A parked browser was woken with this status.</summary>
    public static void Heard(TicketSnapshot? snapshot, DateTimeOffset now)
    {
        if (snapshot is { Status: TicketStatus.Confirmed, ChangedAt: { } sent })
            ConfirmToBrowser.Record(Math.Max(0, (now - sent).TotalSeconds));
    }
}
