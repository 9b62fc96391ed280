using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// Applications and pools through their whole life on the grains: the application secret (shown once, kept as a hash,
/// rotated), revisions, the pool an application belongs to, and a pool that cannot be deleted while it has children.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class ConfigurationLifecycleGrainTests(GrainClusterFixture fixture)
{
    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task<AuditEntry[]> AuditAsync(string poolId) => (await fixture.Grains.GetGrain<ICatalogGrain>(0).ListAuditAsync(poolId, null, 500)).Items;

    [Fact]
    public async Task A_created_application_shows_its_secret_once_and_keeps_only_a_hash_that_verifies_it()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var appId = NewId("app-");
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        Assert.False(await app.VerifySecretAsync("anything"));

        var created = (await app.CreateAsync(new ApplicationSettings("ignored", poolId, "Shop", null, [], []), Actor.Platform)).Value!;
        Assert.Equal((appId, poolId, 1), (created.Application.Value.AppId, created.Application.Value.PoolId, created.Application.Revision));
        Assert.Equal(43, created.AppSecret.Length);
        Assert.True(await app.VerifySecretAsync(created.AppSecret));
        Assert.False(await app.VerifySecretAsync(created.AppSecret + "x"));
        Assert.False(await app.VerifySecretAsync(""));
        Assert.NotNull((await app.GetVersionedAsync())!.SecretChangedAt);
        var audit = await AuditAsync(poolId);
        Assert.Equal(("create", appId), (audit[^1].Action, audit[^1].ResourceId));
        Assert.DoesNotContain(created.AppSecret, string.Join("|", audit.Select(e => e.Before + e.After)));

        Assert.Equal(AdminFailureCodes.Exists, (await app.CreateAsync(new ApplicationSettings(appId, poolId, "Again", null, [], []), Actor.Platform)).Failure?.Code);
        Assert.Equal("Shop", (await app.GetAsync())!.Name);
        Assert.True(await app.VerifySecretAsync(created.AppSecret));
    }

    [Fact]
    public async Task Rotating_the_secret_retires_the_old_one_and_an_update_keeps_the_secret_and_the_pool()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var app = fixture.Grains.GetGrain<IApplicationGrain>(NewId("app-"));
        var created = (await app.CreateAsync(new ApplicationSettings("", poolId, "Shop", null, [], []), Actor.Platform)).Value!;

        var rotated = (await app.RotateSecretAsync(1, Actor.Platform)).Value!;
        Assert.NotEqual(created.AppSecret, rotated.AppSecret);
        Assert.Equal((2, "Shop"), (rotated.Application.Revision, rotated.Application.Value.Name));
        Assert.False(await app.VerifySecretAsync(created.AppSecret));
        Assert.True(await app.VerifySecretAsync(rotated.AppSecret));
        Assert.Equal("rotate_secret", (await AuditAsync(poolId))[^1].Action);
        Assert.Equal(AdminFailureCodes.PreconditionFailed, (await app.RotateSecretAsync(1, Actor.Platform)).Failure?.Code);
        Assert.True(await app.VerifySecretAsync(rotated.AppSecret));

        // An application never moves to another pool, and an update leaves its secret alone.
        var updated = (await app.UpdateAsync(rotated.Application.Value with { Name = "Shop 2", PoolId = "someone-elses-pool" }, 2, Actor.Platform)).Value!;
        Assert.Equal(("update", "platform:platform"), ((await AuditAsync(poolId))[^1].Action, (await AuditAsync(poolId))[^1].Actor));
        Assert.Equal((poolId, "Shop 2", 3), (updated.Value.PoolId, updated.Value.Name, updated.Revision));
        Assert.True(await app.VerifySecretAsync(rotated.AppSecret));
        Assert.Equal(rotated.Application.SecretChangedAt, updated.SecretChangedAt);
    }

    [Fact]
    public async Task Seeding_an_application_needs_a_secret_the_first_time_and_a_new_one_replaces_the_old()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var appId = NewId("app-");
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        var settings = new ApplicationSettings(appId, poolId, "Seeded", null, [], []);
        await Assert.ThrowsAsync<ArgumentException>(() => app.SaveAsync(settings, null));
        Assert.Null(await app.GetAsync());

        await app.SaveAsync(settings, "first-secret");
        await app.SaveAsync(settings with { Name = "Renamed" }, null);
        Assert.Equal(("Renamed", 2), ((await app.GetAsync())!.Name, (await app.GetVersionedAsync())!.Revision));
        Assert.True(await app.VerifySecretAsync("first-secret"));
        await app.SaveAsync(settings with { Name = "Renamed" }, "second-secret");
        Assert.False(await app.VerifySecretAsync("first-secret"));
        Assert.True(await app.VerifySecretAsync("second-secret"));
        Assert.Equal(3, (await app.GetVersionedAsync())!.Revision);
    }

    [Fact]
    public async Task A_deleted_application_is_gone_with_its_secret()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var app = fixture.Grains.GetGrain<IApplicationGrain>(NewId("app-"));
        var created = (await app.CreateAsync(new ApplicationSettings("", poolId, "Shop", null, [], []), Actor.Platform)).Value!;
        Assert.Equal(AdminFailureCodes.PreconditionFailed, (await app.DeleteAsync(7, Actor.Platform)).Failure?.Code);
        Assert.True((await app.DeleteAsync(1, Actor.Platform)).Value);
        Assert.Null(await app.GetAsync());
        Assert.Null(await app.GetVersionedAsync());
        Assert.False(await app.VerifySecretAsync(created.AppSecret));
        Assert.Equal("delete", (await AuditAsync(poolId))[^1].Action);
        Assert.Equal(AdminFailureCodes.NotFound, (await app.DeleteAsync(null, Actor.Platform)).Failure?.Code);
        Assert.Equal(AdminFailureCodes.NotFound, (await app.RotateSecretAsync(null, Actor.Platform)).Failure?.Code);
    }

    [Fact]
    public async Task A_pool_is_created_once_updated_by_revision_and_deleted_only_when_empty()
    {
        var poolId = NewId("pool-");
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        var created = (await pool.CreateAsync(new UserPoolSettings("ignored", "Shop"), Actor.Platform)).Value!;
        Assert.Equal((poolId, "Shop", 1), (created.Value.PoolId, created.Value.Name, created.Revision));
        Assert.Equal(AdminFailureCodes.Exists, (await pool.CreateAsync(new UserPoolSettings(poolId, "Again"), Actor.Platform)).Failure?.Code);

        var updated = (await pool.UpdateAsync(created.Value with { Name = "Shop 2", BrowserExchangeDisabled = true }, 1, Actor.Platform)).Value!;
        Assert.Equal((poolId, "Shop 2", true, 2), (updated.Value.PoolId, updated.Value.Name, updated.Value.BrowserExchangeDisabled, updated.Revision));
        Assert.Equal(AdminFailureCodes.PreconditionFailed, (await pool.UpdateAsync(created.Value, 1, Actor.Platform)).Failure?.Code);
        Assert.Equal("Shop 2", (await pool.GetSettingsAsync())!.Name);
        Assert.Equal(["create", "update"], (await AuditAsync(poolId)).Select(e => e.Action));

        var app = fixture.Grains.GetGrain<IApplicationGrain>(NewId("app-"));
        await app.CreateAsync(new ApplicationSettings("", poolId, "Shop", null, [], []), Actor.Platform);
        Assert.Equal(AdminFailureCodes.NotEmpty, (await pool.DeleteAsync(2, Actor.Platform)).Failure?.Code);
        Assert.NotNull(await pool.GetSettingsAsync());

        Assert.True((await app.DeleteAsync(null, Actor.Platform)).Value);
        Assert.True((await pool.DeleteAsync(2, Actor.Platform)).Value);
        Assert.Null(await pool.GetSettingsAsync());
        Assert.Equal("delete", (await AuditAsync(poolId))[^1].Action);
        Assert.Equal(AdminFailureCodes.NotFound, (await pool.UpdateAsync(created.Value, null, Actor.Platform)).Failure?.Code);
    }

    [Fact]
    public async Task Seeding_a_pool_audits_its_creation_and_each_real_change_once()
    {
        var poolId = NewId("pool-");
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        await pool.SaveSettingsAsync(new UserPoolSettings(poolId, "Seeded"));
        await pool.SaveSettingsAsync(new UserPoolSettings(poolId, "Seeded"));
        await pool.SaveSettingsAsync(new UserPoolSettings(poolId, "Renamed"));
        Assert.Equal([("create", "system:system"), ("update", "system:system")], (await AuditAsync(poolId)).Select(e => (e.Action, e.Actor)));
        Assert.Equal(2, (await pool.GetVersionedAsync())!.Revision);
    }

    [Fact]
    public async Task Seeding_an_application_audits_its_creation_and_a_reseed_with_the_same_secret_is_no_rotation()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var appId = NewId("app-");
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        await app.SaveAsync(new ApplicationSettings(appId, poolId, "Seeded", null, [], []), "seed-secret");
        var rotatedAt = (await app.GetVersionedAsync())!.SecretChangedAt;
        Assert.NotNull(rotatedAt);

        await app.SaveAsync(new ApplicationSettings(appId, poolId, "Renamed", null, [], []), "seed-secret");
        var renamed = (await app.GetVersionedAsync())!;
        Assert.Equal(("Renamed", 2, rotatedAt), (renamed.Value.Name, renamed.Revision, renamed.SecretChangedAt));
        Assert.True(await app.VerifySecretAsync("seed-secret"));
        Assert.Equal([("create", "application", appId), ("update", "application", appId)],
            (await AuditAsync(poolId)).Where(e => e.ResourceId == appId).Select(e => (e.Action, e.ResourceType, e.ResourceId)));
    }

    [Fact]
    public async Task Applications_pools_and_api_keys_are_stored_and_a_lost_listing_row_is_repaired_when_the_grain_wakes()
    {
        var poolId = NewId("pool-");
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        await pool.CreateAsync(new UserPoolSettings(poolId, "Shop"), Actor.Platform);
        var key = (await pool.CreateApiKeyAsync("ci", Actor.Platform)).Value!;
        var app = fixture.Grains.GetGrain<IApplicationGrain>(NewId("app-"));
        var created = (await app.CreateAsync(new ApplicationSettings("ignored", poolId, "Shop app", null, [], []), Actor.Platform)).Value!;
        var appId = created.Application.Value.AppId;
        await app.UpdateAsync(created.Application.Value with { Name = "Shop app 2" }, null, Actor.Platform);

        // The listing rows are lost (a failure between the state write and the catalog write), then both grains sleep.
        var catalog = fixture.SiloService<ScanLogin.Grains.Admin.ICatalogStore>();
        await catalog.DeleteAsync(CatalogKind.Pools, poolId, poolId);
        await catalog.DeleteAsync(CatalogKind.Applications, poolId, appId);
        await SleepAsync(pool);
        await SleepAsync(app);

        // New activations answer from storage, not from the memory of the old ones.
        Assert.Equal(["ci"], (await pool.ListApiKeysAsync()).Select(k => k.Name));
        Assert.True(await pool.VerifyApiKeyAsync(key.Key.KeyId, key.Value.Split('.')[^1]));
        Assert.Equal(("Shop app 2", 2), ((await app.GetAsync())!.Name, (await app.GetVersionedAsync())!.Revision));
        Assert.True(await app.VerifySecretAsync(created.AppSecret));
        // And waking up re-wrote each listing row.
        Assert.Contains(await catalog.ListAsync(CatalogKind.Pools, null, null, 10_000), r => r.Id == poolId);
        Assert.Contains(await catalog.ListAsync(CatalogKind.Applications, poolId, null, 100), r => r.Id == appId);

        // A settings change is stored as well.
        await pool.UpdateAsync(new UserPoolSettings(poolId, "Shop 2"), null, Actor.Platform);
        await SleepAsync(pool);
        Assert.Equal(("Shop 2", 2), ((await pool.GetSettingsAsync())!.Name, (await pool.GetVersionedAsync())!.Revision));

        // A deleted pool leaves the listing, and the audit says the pool was deleted.
        Assert.True((await app.DeleteAsync(null, Actor.Platform)).Value);
        Assert.True((await pool.DeleteAsync(null, Actor.Platform)).Value);
        Assert.DoesNotContain(await catalog.ListAsync(CatalogKind.Pools, null, null, 10_000), r => r.Id == poolId);
        var last = (await AuditAsync(poolId))[^1];
        Assert.Equal(("delete", "pool", poolId), (last.Action, last.ResourceType, last.ResourceId));
    }

    private static async Task SleepAsync(IAddressable grain) => await grain.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();

    [Fact]
    public async Task Api_keys_are_listed_oldest_first_and_their_creation_and_deletion_are_audited()
    {
        var poolId = NewId("pool-");
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        await pool.CreateAsync(new UserPoolSettings(poolId, "Shop"), Actor.Platform);
        var names = new[] { "first", "second", "third" };
        var keys = new List<CreatedApiKey>();
        foreach (var name in names) keys.Add((await pool.CreateApiKeyAsync(name, Actor.Platform)).Value!);
        Assert.Equal(names, (await pool.ListApiKeysAsync()).Select(k => k.Name));

        Assert.True((await pool.DeleteApiKeyAsync(keys[1].Key.KeyId, Actor.Platform)).Value);
        Assert.Equal(["first", "third"], (await pool.ListApiKeysAsync()).Select(k => k.Name));
        Assert.False(await pool.VerifyApiKeyAsync(keys[1].Key.KeyId, keys[1].Value.Split('.')[^1]));
        Assert.Equal(AdminFailureCodes.NotFound, (await pool.DeleteApiKeyAsync(keys[1].Key.KeyId, Actor.Platform)).Failure?.Code);

        var audit = (await AuditAsync(poolId)).Where(e => e.ResourceType == "api_key").ToArray();
        Assert.Equal([("create", keys[0].Key.KeyId), ("create", keys[1].Key.KeyId), ("create", keys[2].Key.KeyId), ("delete", keys[1].Key.KeyId)],
            audit.Select(e => (e.Action, e.ResourceId)));
        Assert.DoesNotContain(keys[0].Value, string.Join("|", audit.Select(e => e.Before + e.After)));
    }
}
