using ScanLogin.Grains.Access;
using ScanLogin.Grains.Admin;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Configuration;

/// <summary>One application (key: app id). Holds its secret only as a hash; every change is listed and audited.</summary>
public sealed class ApplicationGrain(
    [PersistentState("application", StorageNames.Configuration)] IPersistentState<ApplicationState> state,
    AdminRecorder recorder,
    SettingsCacheClient settingsCache) : Grain, IApplicationGrain
{
    private const string SecretPurpose = "app-secret";
    private VersionedState<ApplicationSettings> App => state.State.App;
    private string What => $"Application {this.GetPrimaryKeyString()}";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (App.ToVersioned() is { } app) await recorder.SyncAsync(CatalogKind.Applications, app.Value.PoolId, app.Value.AppId, ApplicationView.From(app));
    }

    Task<ApplicationSettings?> IApplicationGrain.GetAsync() => Task.FromResult(App.Value);

    Task<Versioned<ApplicationSettings>?> IApplicationGrain.GetVersionedAsync() => Task.FromResult(App.ToVersioned());

    async Task IApplicationGrain.SaveAsync(ApplicationSettings settings, string? appSecret)
    {
        if (appSecret is null && state.State.SecretHash is null) throw new ArgumentException("A new application needs a secret.", nameof(appSecret));
        // Seeding repeats itself at every start: a save that changes nothing writes nothing (and audits nothing).
        var sameSecret = appSecret is null || state.State.SecretHash == Secrets.Hash(SecretPurpose, appSecret);
        if (sameSecret && AdminRecorder.Unchanged(App.Value, settings with { AppId = this.GetPrimaryKeyString() })) return;
        await WriteAsync(settings, sameSecret ? null : appSecret, App.Value is null ? "create" : "update", Actor.System);
    }

    async Task<Outcome<CreatedApplication>> IApplicationGrain.CreateAsync(ApplicationSettings settings, Actor actor)
    {
        if (App.Value is not null) return new Failure(AdminFailureCodes.Exists, $"{What} already exists.");
        var secret = Secrets.NewSecret();
        return new CreatedApplication(await WriteAsync(settings, secret, "create", actor), secret);
    }

    async Task<Outcome<Versioned<ApplicationSettings>>> IApplicationGrain.UpdateAsync(ApplicationSettings settings, int? ifRevision, Actor actor)
    {
        if (App.CheckUpdate(What, ifRevision) is { } refused) return refused;
        return await WriteAsync(settings, null, "update", actor);
    }

    async Task<Outcome<CreatedApplication>> IApplicationGrain.RotateSecretAsync(int? ifRevision, Actor actor)
    {
        if (App.CheckUpdate(What, ifRevision) is { } refused) return refused;
        var secret = Secrets.NewSecret();
        return new CreatedApplication(await WriteAsync(App.Value!, secret, "rotate_secret", actor), secret);
    }

    async Task<Outcome<bool>> IApplicationGrain.DeleteAsync(int? ifRevision, Actor actor)
    {
        if (App.CheckUpdate(What, ifRevision) is { } refused) return refused;
        var before = ApplicationView.From(App.ToVersioned()!);
        await state.ClearStateAsync();
        await settingsCache.ForgetEverywhereAsync(this.GetPrimaryKeyString());
        await GrainFactory.GetGrain<IBrandingLogoGrain>(BrandingLogos.KeyOf(before.PoolId, before.AppId)).PruneAsync([]); // its uploaded branding logos go with it
        await recorder.RecordAsync(CatalogKind.Applications, before.PoolId, before.AppId, "delete", actor, before, null);
        return true;
    }

    Task<bool> IApplicationGrain.VerifySecretAsync(string appSecret) =>
        Task.FromResult(App.Value is not null && state.State.SecretHash is { } hash && Secrets.FixedTimeEquals(hash, Secrets.Hash(SecretPurpose, appSecret)));

    private async Task<Versioned<ApplicationSettings>> WriteAsync(ApplicationSettings settings, string? newSecret, string action, Actor actor)
    {
        var before = App.ToVersioned() is { } old ? ApplicationView.From(old) : null;
        // The pool never changes: an application belongs to the pool it was created in.
        var poolId = App.Value?.PoolId ?? settings.PoolId;
        App.Set(settings with { AppId = this.GetPrimaryKeyString(), PoolId = poolId }, recorder.Now, secretChanged: newSecret is not null);
        if (newSecret is not null) state.State.SecretHash = Secrets.Hash(SecretPurpose, newSecret);
        await state.WriteStateAsync();
        await settingsCache.ForgetEverywhereAsync(this.GetPrimaryKeyString());
        var after = App.ToVersioned()!;
        await recorder.RecordAsync(CatalogKind.Applications, poolId, after.Value.AppId, action, actor, before, ApplicationView.From(after));
        return after;
    }
}

[GenerateSerializer, Alias("ScanLogin.ApplicationState")]
public sealed class ApplicationState
{
    [Id(0)] public VersionedState<ApplicationSettings> App { get; set; } = new();
    [Id(1)] public string? SecretHash { get; set; }
}
