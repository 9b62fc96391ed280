using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using ScanLogin.Grains;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Storage;
using ScanLogin.Grains.Tokens;
using Xunit;

namespace ScanLogin.UnitTests.Security;

/// <summary>Ciphertexts stored before they were bound to their record are read, then stored again bound, by their owner.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class KeyRingMigrationGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task A_pools_signing_keys_stored_unbound_are_rewritten_bound_to_the_pool_and_key_when_next_read()
    {
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "Migrating pool"));
        var keys = fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId);
        var first = Assert.Single((await keys.GetKeySetAsync())!.Keys);
        var protector = fixture.SiloService<SecretProtector>();
        var context = SecretContext.SigningKeyOf(poolId, first.KeyId);
        var privateKey = await protector.UnprotectAsync(first.ProtectedPrivateKey, context);

        // Storage as an earlier version left it: the same private key, encrypted bound to its key-ring key only.
        var storage = ((IServiceProvider)fixture.SiloService<IServiceProvider>()).GetRequiredKeyedService<IGrainStorage>(StorageNames.Configuration);
        var stored = new GrainState<PoolSigningKeysState>();
        await storage.ReadStateAsync("signing-keys", keys.GetGrainId(), stored);
        var unbound = await protector.ProtectUnboundAsync(privateKey);
        stored.State = stored.State! with { Keys = [.. stored.State.Keys.Select(k => k with { ProtectedPrivateKey = unbound })] };
        await storage.WriteStateAsync("signing-keys", keys.GetGrainId(), stored);
        await keys.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();

        var reread = Assert.Single((await keys.GetKeySetAsync())!.Keys);
        Assert.True(SecretProtector.IsBoundToItsRecord(reread.ProtectedPrivateKey), reread.ProtectedPrivateKey[..3]);
        Assert.Equal(privateKey, await protector.UnprotectAsync(reread.ProtectedPrivateKey, context));
        var after = new GrainState<PoolSigningKeysState>();
        await storage.ReadStateAsync("signing-keys", keys.GetGrainId(), after);
        Assert.True(SecretProtector.IsBoundToItsRecord(Assert.Single(after.State!.Keys).ProtectedPrivateKey), "the bound ciphertext was not stored");
        // Bound to this pool and key: another pool's context does not open it.
        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() =>
            protector.UnprotectAsync(reread.ProtectedPrivateKey, SecretContext.SigningKeyOf("another-pool", first.KeyId)));
    }
}
