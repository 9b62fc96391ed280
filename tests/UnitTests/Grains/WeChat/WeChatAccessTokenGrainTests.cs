using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>One cached access token per AppID for the whole cluster, refreshed once when WeChat calls it stale.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class WeChatAccessTokenGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task The_token_is_cached_and_only_its_holder_can_force_a_refresh()
    {
        var appId = "wx" + Guid.NewGuid().ToString("N")[..16];
        await fixture.Emulator.RegisterMiniProgramAsync(appId, "secret-1");
        var grain = fixture.Grains.GetGrain<IWeChatAccessTokenGrain>(appId);

        var first = (await grain.GetTokenAsync("secret-1")).Value!;
        Assert.Equal(first, (await grain.GetTokenAsync("secret-1")).Value);

        var refreshed = (await grain.GetTokenAsync("secret-1", staleToken: first)).Value!;
        Assert.NotEqual(first, refreshed);
        // A second caller reporting the same old token does not force another refresh (WeChat allows 20 a day).
        Assert.Equal(refreshed, (await grain.GetTokenAsync("secret-1", staleToken: first)).Value);
    }

    [Fact]
    public async Task A_wrong_secret_is_a_misconfiguration_failure()
    {
        // A mini program of its own: no other test can have warmed this grain's cache.
        var appId = "wx" + Guid.NewGuid().ToString("N")[..16];
        await fixture.Emulator.RegisterMiniProgramAsync(appId, "right-secret");
        var grain = fixture.Grains.GetGrain<IWeChatAccessTokenGrain>(appId);
        Assert.Equal(FailureCodes.WeChatMisconfigured, (await grain.GetTokenAsync("wrong-secret")).Failure?.Code);
        // The failure cached nothing: the right secret still gets a token.
        Assert.True((await grain.GetTokenAsync("right-secret")).Succeeded);
    }
}
