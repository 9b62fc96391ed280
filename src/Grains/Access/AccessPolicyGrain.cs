namespace ScanLogin.Grains.Access;

/// <summary>
/// Asks <see cref="AccessPolicy"/> for the front end, from this silo's <see cref="SettingsCache"/>: a stateless worker,
/// so it runs where the call lands and a warm answer costs no further grain call. Reentrant: it holds no state.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class AccessPolicyGrain(SettingsCache settings) : Grain, IAccessPolicyGrain
{
    Task<Outcome<string>> IAccessPolicyGrain.ChooseIdentitySourceAsync(string appId, string? identifier) =>
        SourceChoice.ChooseAsync(settings, appId, identifier);

    async Task<Failure?> IAccessPolicyGrain.CheckCodeRedemptionAsync(string poolId, bool clientAuthenticated) =>
        // Only a public client is subject to the pool's rule: an authenticated one costs no read.
        clientAuthenticated ? null : AccessPolicy.CheckCodeRedemption(await GrainFactory.GetGrain<IUserPoolGrain>(poolId).GetSettingsAsync(), false);

    async Task<Failure?> IAccessPolicyGrain.CheckAuthingBrowserExchangeAsync(string appId, string? origin) =>
        AccessPolicy.CheckAuthingBrowserExchange(await settings.ApplicationAsync(appId), appId, origin);
}

/// <summary>Which identity source a login runs through (<see cref="AccessPolicy.ChooseDefault"/> when none is named), over the settings cache.</summary>
public static class SourceChoice
{
    public static async Task<Outcome<string>> ChooseAsync(SettingsCache settings, string appId, string? identifier)
    {
        var app = await settings.ApplicationAsync(appId);
        if (app is null) return new Failure(FailureCodes.ApplicationNotFound, $"Application {appId} does not exist.");
        if (identifier is { Length: > 0 })
        {
            var named = await settings.IdentitySourceAsync(IdentitySourceSettings.KeyOf(app.PoolId, identifier));
            return AccessPolicy.CheckSource(named, identifier, appId) is { } refused ? refused : identifier;
        }
        var ids = await settings.PoolSourcesAsync(app.PoolId) ?? [];
        var sources = await Task.WhenAll(ids.Select(id => settings.IdentitySourceAsync(IdentitySourceSettings.KeyOf(app.PoolId, id))));
        return AccessPolicy.ChooseDefault(sources, appId);
    }
}
