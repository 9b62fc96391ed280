using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Operator-managed grains: revisions, audit, and saves that change nothing.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class ConfigurationGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Saving_the_same_values_again_writes_and_audits_nothing()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var audit = fixture.Grains.GetGrain<ICatalogGrain>(0);
        var before = (await audit.ListAuditAsync(poolId, null, 100)).Items.Length;

        await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "Test pool"));
        await fixture.Grains.GetGrain<IApplicationGrain>(appId).SaveAsync(new ApplicationSettings(appId, poolId, "Test app", null, [], []), "app-secret");
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        await source.SaveAsync((await source.GetAsync())!, null);
        Assert.Equal(before, (await audit.ListAuditAsync(poolId, null, 100)).Items.Length);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IApplicationGrain>(appId).GetVersionedAsync())!.Revision);

        await fixture.Grains.GetGrain<IApplicationGrain>(appId).SaveAsync(new ApplicationSettings(appId, poolId, "Renamed", null, [], []), "app-secret");
        var entries = (await audit.ListAuditAsync(poolId, null, 100)).Items;
        Assert.Equal(before + 1, entries.Length);
        Assert.Equal(("update", "system:system"), (entries[^1].Action, entries[^1].Actor));
    }

    [Fact]
    public async Task A_stale_revision_is_refused_and_changes_nothing()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        var current = (await app.GetVersionedAsync())!;
        Assert.True((await app.UpdateAsync(current.Value with { Name = "First" }, current.Revision, Actor.Platform)).Succeeded);
        var stale = await app.UpdateAsync(current.Value with { Name = "Second" }, current.Revision, Actor.Platform);
        Assert.Equal(AdminFailureCodes.PreconditionFailed, stale.Failure!.Code);
        Assert.Equal("First", (await app.GetAsync())!.Name);
    }
}
