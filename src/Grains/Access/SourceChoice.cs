namespace ScanLogin.Grains.Access;

/// <summary>Which identity source a login runs through (<see cref="AccessPolicy.ChooseDefault"/> when none is named), over the settings cache.</summary>
public static class SourceChoice
{
    public static async Task<Outcome<string>> ChooseAsync(SettingsCache settings, string appId, string? identifier, bool firstOfSeveral = false)
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
        return AccessPolicy.ChooseDefault(sources, appId, firstOfSeveral);
    }
}
