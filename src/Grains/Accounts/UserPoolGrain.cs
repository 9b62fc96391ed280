using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Admin;

namespace ScanLogin.Grains.Accounts;

/// <summary>
/// One pool: its settings and API keys here; its accounts in UserPoolGrain.Accounts.cs (batched decisions) and
/// UserPoolGrain.Users.cs (operators). Settings changes run one at a time; account requests interleave.
/// </summary>
public sealed partial class UserPoolGrain(
    [PersistentState("pool", StorageNames.Configuration)] IPersistentState<UserPoolState> state,
    IUserStore users,
    PasswordHashing passwords,
    IOptions<AccountOptions> accountOptions,
    AdminRecorder recorder,
    TimeProvider time,
    ILogger<UserPoolGrain> logger) : Grain, IUserPoolGrain
{
    private readonly IUserStore _users = users;
    private readonly PasswordHashing _passwords = passwords;
    private readonly AccountOptions _accountOptions = accountOptions.Value;
    private readonly AdminRecorder _recorder = recorder;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;
    private const string KeyPurpose = "pool-api-key";
    private VersionedState<UserPoolSettings> Pool => state.State.Pool;
    private string PoolId => this.GetPrimaryKeyString();
    private string What => $"User pool {PoolId}";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Pool.ToVersioned() is { } pool) await _recorder.SyncAsync(CatalogKind.Pools, PoolId, PoolId, View(pool));
    }

    Task<UserPoolSettings?> IUserPoolGrain.GetSettingsAsync() => Task.FromResult(Pool.Value);

    Task<Versioned<UserPoolSettings>?> IUserPoolGrain.GetVersionedAsync() => Task.FromResult(Pool.ToVersioned());

    async Task IUserPoolGrain.SaveSettingsAsync(UserPoolSettings settings)
    {
        // Seeding repeats itself at every start: a save that changes nothing writes nothing (and audits nothing).
        if (!AdminRecorder.Unchanged(Pool.Value, settings with { PoolId = PoolId }))
            await WriteAsync(settings, Pool.Value is null ? "create" : "update", Actor.System);
    }

    async Task<Outcome<Versioned<UserPoolSettings>>> IUserPoolGrain.CreateAsync(UserPoolSettings settings, Actor actor)
    {
        if (Pool.Value is not null) return new Failure(AdminFailureCodes.Exists, $"{What} already exists.");
        return await WriteAsync(settings, "create", actor);
    }

    async Task<Outcome<Versioned<UserPoolSettings>>> IUserPoolGrain.UpdateAsync(UserPoolSettings settings, int? ifRevision, Actor actor)
    {
        if (Pool.CheckUpdate(What, ifRevision) is { } refused) return refused;
        return await WriteAsync(settings, "update", actor);
    }

    async Task<Outcome<bool>> IUserPoolGrain.DeleteAsync(int? ifRevision, Actor actor)
    {
        if (Pool.CheckUpdate(What, ifRevision) is { } refused) return refused;
        if (await _recorder.HasChildrenAsync(PoolId))
            return new Failure(AdminFailureCodes.NotEmpty, $"{What} still has applications or identity sources; delete them first.");
        var before = View(Pool.ToVersioned()!);
        await state.ClearStateAsync();
        await GrainFactory.GetGrain<IBrandingLogoGrain>(BrandingLogos.KeyOf(PoolId, null)).PruneAsync([]); // its uploaded branding logos go with it
        await _recorder.RecordAsync(CatalogKind.Pools, PoolId, PoolId, "delete", actor, before, null);
        // A pool created later under this id must prove its domains again.
        await GrainFactory.GetGrain<IDomainRegistryGrain>(0).ReleasePoolAsync(PoolId, actor);
        return true;
    }

    async Task<Outcome<CreatedApiKey>> IUserPoolGrain.CreateApiKeyAsync(string name, Actor actor)
    {
        if (Pool.Value is null) return new Failure(AdminFailureCodes.NotFound, $"{What} does not exist.");
        var keyId = Secrets.NewId()[..12];
        var secret = Secrets.NewSecret();
        var key = new ApiKeyView(keyId, name, _time.GetUtcNow());
        state.State.ApiKeys[keyId] = new ApiKeyRecord(key, Secrets.Hash(KeyPurpose, secret));
        await state.WriteStateAsync();
        await _recorder.AuditAsync(PoolId, "create", actor, "api_key", keyId, null, key);
        return new CreatedApiKey(key, PoolApiKey.Format(PoolId, keyId, secret));
    }

    Task<ApiKeyView[]> IUserPoolGrain.ListApiKeysAsync() =>
        Task.FromResult(state.State.ApiKeys.Values.Select(k => k.View).OrderBy(k => k.CreatedAt).ToArray());

    async Task<Outcome<bool>> IUserPoolGrain.DeleteApiKeyAsync(string keyId, Actor actor)
    {
        if (!state.State.ApiKeys.Remove(keyId, out var removed)) return new Failure(AdminFailureCodes.NotFound, $"API key {keyId} does not exist.");
        await state.WriteStateAsync();
        await _recorder.AuditAsync(PoolId, "delete", actor, "api_key", keyId, removed.View, null);
        return true;
    }

    Task<bool> IUserPoolGrain.VerifyApiKeyAsync(string keyId, string secret) =>
        Task.FromResult(Pool.Value is not null && state.State.ApiKeys.TryGetValue(keyId, out var key)
                        && Secrets.FixedTimeEquals(key.SecretHash, Secrets.Hash(KeyPurpose, secret)));

    private async Task<Versioned<UserPoolSettings>> WriteAsync(UserPoolSettings settings, string action, Actor actor)
    {
        var before = Pool.ToVersioned() is { } old ? View(old) : null;
        Pool.Set(settings with { PoolId = PoolId }, _recorder.Now, secretChanged: false);
        await state.WriteStateAsync();
        var after = Pool.ToVersioned()!;
        await _recorder.RecordAsync(CatalogKind.Pools, PoolId, PoolId, action, actor, before, View(after));
        return after;
    }

    private static PoolView View(Versioned<UserPoolSettings> v) => PoolView.From(v);
}

[GenerateSerializer, Alias("ScanLogin.UserPoolState")]
public sealed class UserPoolState
{
    [Id(0)] public VersionedState<UserPoolSettings> Pool { get; set; } = new();
    [Id(1)] public Dictionary<string, ApiKeyRecord> ApiKeys { get; set; } = [];
}

/// <summary>A pool API key as stored: its listing view and the hash of its secret.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ApiKeyRecord")]
public sealed record ApiKeyRecord([property: Id(0)] ApiKeyView View, [property: Id(1)] string SecretHash);
