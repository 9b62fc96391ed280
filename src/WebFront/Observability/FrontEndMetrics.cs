using System.Diagnostics.Metrics;

namespace ScanLogin.WebFront.Observability;

/// <summary>What the front end counts itself (meter "ScanLogin.WebFront"): refusals by the abuse limits.</summary>
public sealed class FrontEndMetrics
{
    public const string MeterName = "ScanLogin.WebFront";

    private readonly Counter<long> _rateLimited;

    public FrontEndMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _rateLimited = meter.CreateCounter<long>("scanlogin.http.rate_limited", "{response}", "Requests answered 429 by the abuse limits");
    }

    public void RateLimited(string code, string? endpoint) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("code", code), new KeyValuePair<string, object?>("endpoint", endpoint ?? "admin"));
}
