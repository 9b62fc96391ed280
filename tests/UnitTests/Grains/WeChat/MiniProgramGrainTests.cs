using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests.Hardening;

/// <summary>One grain per mini program: its token only for verified secrets, refusals remembered, and one owning pool.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class MiniProgramGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task The_cached_token_goes_only_to_a_secret_wechat_accepted_and_a_refused_one_waits()
    {
        var appId = "wx" + Guid.NewGuid().ToString("N")[..16];
        await fixture.Emulator.RegisterMiniProgramAsync(appId, "secret-1");
        var grain = fixture.Grains.GetGrain<IWeChatAccessTokenGrain>(appId);
        Assert.NotNull((await grain.GetTokenAsync("secret-1")).Value);
        var asked = await fixture.Emulator.TokenRequestsAsync(appId);

        var refused = await grain.GetTokenAsync("guessed-secret");
        Assert.Equal(FailureCodes.WeChatMisconfigured, refused.Failure?.Code);
        Assert.Equal(asked + 1, await fixture.Emulator.TokenRequestsAsync(appId));
        // Asked again at once: answered from memory, WeChat is not asked again before the pause is over.
        Assert.Equal(FailureCodes.WeChatMisconfigured, (await grain.GetTokenAsync("guessed-secret")).Failure?.Code);
        Assert.Equal(asked + 1, await fixture.Emulator.TokenRequestsAsync(appId));
        Assert.NotNull((await grain.GetTokenAsync("secret-1")).Value); // the verified holder is not slowed down
    }

    [Fact]
    public async Task A_mini_program_belongs_to_one_pool_unless_shared()
    {
        var grain = fixture.Grains.GetGrain<IWeChatAccessTokenGrain>("wx" + Guid.NewGuid().ToString("N")[..16]);
        Assert.True((await grain.ClaimAsync("pool-a", "pool-a/scan", shared: false)).Succeeded);
        Assert.True((await grain.ClaimAsync("pool-a", "pool-a/other", shared: false)).Succeeded);
        Assert.Equal(AdminFailureCodes.MiniProgramInUse, (await grain.ClaimAsync("pool-b", "pool-b/scan", shared: false)).Failure?.Code);
        Assert.True((await grain.ClaimAsync("pool-c", "pool-c/scan", shared: true)).Succeeded);

        await grain.ReleaseAsync("pool-a/scan");
        Assert.Equal(AdminFailureCodes.MiniProgramInUse, (await grain.ClaimAsync("pool-b", "pool-b/scan", shared: false)).Failure?.Code);
        await grain.ReleaseAsync("pool-a/other");
        // Pool C's shared source is left: it owns the AppID now.
        Assert.Equal(AdminFailureCodes.MiniProgramInUse, (await grain.ClaimAsync("pool-b", "pool-b/scan", shared: false)).Failure?.Code);
        await grain.ReleaseAsync("pool-c/scan");
        Assert.True((await grain.ClaimAsync("pool-b", "pool-b/scan", shared: false)).Succeeded);
    }
}
