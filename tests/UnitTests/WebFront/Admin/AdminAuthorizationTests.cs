using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Admin;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Who an admin caller is and what it may see: the shape of pool keys, their secrets, and the pool boundary.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class AdminAuthorizationTests(GrainClusterFixture fixture)
{
    [Fact]
    public void A_pool_key_sees_its_own_pool_only_and_the_platform_sees_every_pool()
    {
        var poolKey = new Operator(new Actor("pool-key", "k1"), "shop");
        Assert.False(poolKey.IsPlatform);
        Assert.True(poolKey.CanSee("shop"));
        foreach (var other in new[] { "shop2", "sho", "Shop", "other", "" })
            Assert.False(poolKey.CanSee(other), other);

        var platform = new Operator(Actor.Platform, null);
        Assert.True(platform.IsPlatform);
        Assert.True(platform.CanSee("shop"));
        Assert.True(platform.CanSee("other"));
    }

    [Theory]
    [InlineData("slk.shop.k1.s3cret", true, "shop", "k1", "s3cret")]
    [InlineData("slk.shop.k1.", false, "", "", "")]
    [InlineData("slk.shop..s3cret", false, "", "", "")]
    [InlineData("slk..k1.s3cret", false, "", "", "")]
    [InlineData("slk.shop.k1", false, "", "", "")]
    [InlineData("slk.shop.k1.s3cret.more", false, "", "", "")]
    [InlineData("slp.shop.k1.s3cret", false, "", "", "")]
    [InlineData("platform-key", false, "", "", "")]
    public void Pool_keys_have_four_parts_and_name_their_pool(string value, bool parsed, string pool, string keyId, string secret)
    {
        Assert.Equal(parsed, PoolApiKey.TryParse(value, out var p, out var k, out var s));
        Assert.Equal((pool, keyId, secret), (p, k, s));
        if (parsed) Assert.Equal(value, PoolApiKey.Format(p, k, s));
    }

    [Fact]
    public async Task A_pool_key_is_accepted_only_with_its_own_secret_by_its_own_pool_until_deleted()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var (otherPoolId, _) = await fixture.CreateTenantAsync();
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        var created = (await pool.CreateApiKeyAsync("ci", Actor.Platform)).Value!;
        Assert.True(PoolApiKey.TryParse(created.Value, out var keyPool, out var keyId, out var secret));
        Assert.Equal((poolId, created.Key.KeyId), (keyPool, keyId));
        var second = (await pool.CreateApiKeyAsync("ops", Actor.Platform)).Value!;
        PoolApiKey.TryParse(second.Value, out _, out var secondId, out var secondSecret);

        Assert.True(await pool.VerifyApiKeyAsync(keyId, secret));
        Assert.False(await pool.VerifyApiKeyAsync(keyId, ""));
        Assert.False(await pool.VerifyApiKeyAsync(keyId, secret + "x"));
        Assert.False(await pool.VerifyApiKeyAsync(keyId, secret[..^1]));
        Assert.False(await pool.VerifyApiKeyAsync(keyId, secondSecret)); // another key's secret
        Assert.False(await pool.VerifyApiKeyAsync("no-such-key", secret));
        Assert.False(await fixture.Grains.GetGrain<IUserPoolGrain>(otherPoolId).VerifyApiKeyAsync(keyId, secret));
        Assert.DoesNotContain(secret, string.Join(",", (await pool.ListApiKeysAsync()).Select(k => k.ToString())));

        Assert.True((await pool.DeleteApiKeyAsync(keyId, Actor.Platform)).Succeeded);
        Assert.False(await pool.VerifyApiKeyAsync(keyId, secret));
        Assert.True(await pool.VerifyApiKeyAsync(secondId, secondSecret)); // the other key still works
    }

    [Fact]
    public async Task A_pool_that_does_not_exist_has_no_keys()
    {
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>("pool-none-" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal(AdminFailureCodes.NotFound, (await pool.CreateApiKeyAsync("ci", Actor.Platform)).Failure?.Code);
        Assert.False(await pool.VerifyApiKeyAsync("any", "any"));
    }
}
