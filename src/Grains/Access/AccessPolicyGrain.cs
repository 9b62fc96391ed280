namespace ScanLogin.Grains.Access;

/// <summary>
/// Asks <see cref="AccessPolicy"/> for the front end, from this silo's <see cref="SettingsCache"/>: a stateless worker,
/// so it runs where the call lands and a warm answer costs no further grain call. Reentrant: it holds no state.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class AccessPolicyGrain(SettingsCache settings) : Grain, IAccessPolicyGrain
{
    Task<Outcome<string>> IAccessPolicyGrain.ChooseIdentitySourceAsync(string appId, string? identifier, bool firstOfSeveral) =>
        SourceChoice.ChooseAsync(settings, appId, identifier, firstOfSeveral);

    async Task<Failure?> IAccessPolicyGrain.CheckCodeRedemptionAsync(string poolId, bool clientAuthenticated) =>
        // Only a public client is subject to the pool's rule: an authenticated one costs no read.
        clientAuthenticated ? null : AccessPolicy.CheckCodeRedemption(await GrainFactory.GetGrain<IUserPoolGrain>(poolId).GetSettingsAsync(), false);

    async Task<Failure?> IAccessPolicyGrain.CheckAuthingBrowserExchangeAsync(string appId, string? origin) =>
        AccessPolicy.CheckAuthingBrowserExchange(await settings.ApplicationAsync(appId), appId, origin);
}
