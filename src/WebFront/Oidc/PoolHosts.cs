using System.Net;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Oidc;

/// <summary>The pool a request's host belongs to, and that host's issuer (a request feature set by <see cref="PoolHostRouting"/>).</summary>
public sealed record PoolHostMatch(string PoolId, string Issuer);

/// <summary>
/// Which hosts are pools' own: the template's (<see cref="PoolHostTemplate"/>, decided from the name alone) and verified custom
/// domains, from a copy of <see cref="IDomainRegistryGrain"/>'s list held in memory. The Host header is the caller's to invent:
/// a host that is neither is never a pool's and costs no grain activation; the list is re-read at most once per
/// <see cref="PoolHostOptions.DomainRefresh"/> (so a domain verified or released through another front end follows within that time).
/// </summary>
public sealed class PoolHosts
{
    private readonly PoolHostTemplate? _template;
    private readonly string _publicHost;
    private readonly string _domainScheme;
    private readonly IClusterClient _cluster;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refresh;
    private readonly ILogger<PoolHosts> _logger;
    private readonly Lock _gate = new();
    private Task? _loading;
    private volatile DomainCopy _domains = new([], DateTimeOffset.MinValue);

    public PoolHosts(IOptions<PoolHostOptions> options, IClusterClient cluster, TimeProvider time, ILogger<PoolHosts> logger)
    {
        _template = PoolHostTemplate.Parse(options.Value.PoolHostTemplate);
        var publicUrl = new Uri(options.Value.PublicBaseUrl);
        _publicHost = publicUrl.Host.ToLowerInvariant();
        _domainScheme = _template?.Scheme ?? publicUrl.Scheme;
        (_cluster, _time, _refresh, _logger) = (cluster, time, options.Value.DomainRefresh, logger);
    }

    /// <summary>The match this request's host made, if any.</summary>
    public static PoolHostMatch? MatchOf(HttpContext http) => http.Features.Get<PoolHostMatch>();

    /// <summary>The pool whose own host <paramref name="host"/> is, or null (the front ends' own host, an address, an unknown name).</summary>
    public async ValueTask<PoolHostMatch?> MatchAsync(HostString host)
    {
        if (!host.HasValue) return null;
        var name = host.Host.TrimEnd('.').ToLowerInvariant();
        if (_template?.PoolOf(name) is { } pool) return new PoolHostMatch(pool, _template.IssuerOf(pool));
        if (name == _publicHost || IPAddress.TryParse(name, out _) || CustomDomains.Normalize(name) != name) return null;
        // A stale copy is re-read first, so a released domain stops serving here within the refresh time too.
        if (_time.GetUtcNow() - _domains.LoadedAt >= _refresh) await LoadAsync();
        return Find(name);
    }

    /// <summary>Forgets the copy, so the next unknown host re-reads it (after this front end changed a domain).</summary>
    public void Invalidate() => _domains = _domains with { LoadedAt = DateTimeOffset.MinValue };

    private PoolHostMatch? Find(string name) =>
        _domains.PoolByDomain.TryGetValue(name, out var pool) ? new PoolHostMatch(pool, $"{_domainScheme}://{name}") : null;

    /// <summary>One read at a time: concurrent unknown hosts wait for the same answer.</summary>
    private Task LoadAsync()
    {
        lock (_gate)
        {
            if (_loading is { IsCompleted: false } loading) return loading;
            return _loading = ReadAsync();
        }
    }

    private async Task ReadAsync()
    {
        var now = _time.GetUtcNow();
        try
        {
            var verified = await _cluster.GetGrain<IDomainRegistryGrain>(0).GetVerifiedAsync();
            _domains = new DomainCopy(verified.PoolByDomain, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unknown hosts keep getting no pool until the cluster answers; known ones keep their last answer.
            _logger.LogWarning(e, "The verified custom domains could not be read; keeping the last copy");
            _domains = _domains with { LoadedAt = now };
        }
    }

    private sealed record DomainCopy(Dictionary<string, string> PoolByDomain, DateTimeOffset LoadedAt);
}
