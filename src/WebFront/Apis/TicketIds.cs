using System.Collections.Concurrent;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// Picks a new ticket's id. A privately deployed identity source hands out ids whose WeChat code is already made
/// (the code's scene is the id); any other gets a fresh random id. Which kind a source is gets remembered for a
/// little while, so this costs a grain call only when the answer is stale; the ticket grain still checks everything.
/// </summary>
public sealed class TicketIds(IClusterClient cluster, TimeProvider time)
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<(string AppId, string Source), (string? PoolKey, DateTimeOffset Until)> _private = new();

    public async Task<string> NewAsync(string appId, string identitySource)
    {
        var now = time.GetUtcNow();
        if (!_private.TryGetValue((appId, identitySource), out var known) || known.Until <= now)
        {
            known = (await FindPrivatePoolAsync(appId, identitySource), now + RememberFor);
            _private[(appId, identitySource)] = known;
        }
        return known.PoolKey is { } key ? await cluster.GetGrain<IMiniProgramCodePoolGrain>(key).TakeAsync() : Secrets.NewId();
    }

    private async Task<string?> FindPrivatePoolAsync(string appId, string identitySource)
    {
        if (await cluster.GetGrain<IApplicationGrain>(appId).GetAsync() is not { } app) return null;
        var key = IdentitySourceSettings.KeyOf(app.PoolId, identitySource);
        var source = await cluster.GetGrain<IIdentitySourceGrain>(key).GetAsync();
        return source is { PrivateDeployment: true, Enabled: true } ? key : null;
    }
}
