using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.Observability;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// Open long-polls and event streams per client address on this front end (<see cref="FeedOptions.MaxWaitsPerClientIp"/>):
/// each holds a connection and a waiter for up to a minute (a stream for the ticket's life), so one address could
/// otherwise hold thousands. Counted in this process only: the cap is per front end, and a connection lives on one.
/// Lifted with the abuse limits (<see cref="RateLimitOptions.Lifted"/> or <see cref="RateLimitOptions.Enabled"/>=false).
/// </summary>
public sealed class OpenWaits(IOptionsMonitor<FeedOptions> feed, IOptionsMonitor<RateLimitOptions> limits)
{
    public const string TooManyWaits = "too_many_waits";

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Open waits of one address (tests, metrics).</summary>
    public int OpenOf(string clientKey) => _open.GetValueOrDefault(clientKey);

    /// <summary>A slot for one wait of the caller's address, released by disposing it; null when the address holds its cap.</summary>
    public IDisposable? TryOpen(HttpContext http)
    {
        var key = AbuseLimits.ClientKey(http);
        var settings = limits.CurrentValue;
        var cap = !settings.Enabled || settings.Lifted ? int.MaxValue : feed.CurrentValue.MaxWaitsPerClientIp;
        while (true)
        {
            var open = _open.GetValueOrDefault(key);
            if (open >= cap) return null;
            if (open == 0 ? _open.TryAdd(key, 1) : _open.TryUpdate(key, open + 1, open)) return new Slot(this, key);
        }
    }

    /// <summary>429 in the one problem shape, with a Retry-After (a wait of this address may end any moment).</summary>
    public ProblemHttpResult Refusal(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "5";
        FrontEndMetrics.RateLimited(TooManyWaits, AbuseLimits.EndpointLabel(http));
        var problem = ApiProblems.Problem(StatusCodes.Status429TooManyRequests, TooManyWaits,
            $"This address already holds {feed.CurrentValue.MaxWaitsPerClientIp} open waits (long-polls or event streams) on this server; " +
            "close one, or read the status instead. Retry after 5 s.");
        problem.ProblemDetails.Extensions["retryAfter"] = 5;
        return problem;
    }

    private void Release(string key)
    {
        while (true)
        {
            var open = _open.GetValueOrDefault(key);
            if (open <= 1 ? _open.TryRemove(new(key, open)) : _open.TryUpdate(key, open - 1, open)) return;
        }
    }

    private sealed class Slot(OpenWaits owner, string key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(key);
        }
    }
}
