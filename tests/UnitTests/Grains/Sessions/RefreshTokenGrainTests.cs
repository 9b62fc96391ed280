using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests.Sessions;

/// <summary>Refresh-token families and pool sessions on the in-process cluster (memory stores, the fake clock).</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class RefreshTokenGrainTests(GrainClusterFixture fixture)
{
    private async Task<(string PoolId, string AppId, string UserId)> UserAsync()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var created = await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).CreateUsersAsync(
            [new NewAccount("mei-" + Guid.NewGuid().ToString("N")[..6], null, null, "Mei", null, null)], new Actor("test", "test"));
        return (poolId, appId, created.Value![0].User!.Id);
    }

    private static RefreshFamilyStart Start(string poolId, string appId, string userId) =>
        new(poolId, appId, userId, ["openid", "offline_access"], DateTimeOffset.UtcNow, "wechat", ["wechat_scan"]);

    [Fact]
    public async Task Two_concurrent_uses_of_one_token_rotate_once_and_the_other_revokes_the_family()
    {
        var (poolId, appId, userId) = await UserAsync();
        var family = fixture.Grains.GetGrain<IRefreshTokenGrain>(Secrets.NewId());
        var token = (await family.StartAsync(Start(poolId, appId, userId))).Value!;

        var uses = await Task.WhenAll(family.RotateAsync(new RefreshUse(token, appId)), family.RotateAsync(new RefreshUse(token, appId)));
        Assert.Single(uses, u => u.Succeeded);
        Assert.Single(uses, u => u.Failure?.Code == RefreshFailures.Reused);
        var next = uses.Single(u => u.Succeeded).Value!.RefreshToken;
        Assert.Equal(RefreshFailures.Invalid, (await family.RotateAsync(new RefreshUse(next, appId))).Failure!.Code);
    }

    [Fact]
    public async Task Ending_a_users_sessions_removes_the_session_and_the_refresh_families_and_counts_them()
    {
        var (poolId, appId, userId) = await UserAsync();
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        await pool.SaveSettingsAsync(new UserPoolSettings(poolId, "Test pool", SessionEnabled: true));
        var sessions = fixture.Grains.GetGrain<IPoolSessionsGrain>(poolId);
        var opened = await sessions.StartAsync(new SessionStart(userId, fixture.Time.GetUtcNow(), "wechat", ["wechat_scan"]));
        Assert.NotNull(opened);
        var family = fixture.Grains.GetGrain<IRefreshTokenGrain>(Secrets.NewId());
        var token = (await family.StartAsync(Start(poolId, appId, userId))).Value!;
        Assert.Equal(SessionOutcome.UseSession, (await sessions.DecideAsync(new SessionQuery(opened.Token, true, false, null))).Outcome);

        var ended = (await pool.EndUserSessionsAsync(userId, new Actor("test", "test"))).Value!;
        Assert.Equal(new SessionsEnded(1, 1), ended);
        Assert.Equal(SessionOutcome.LoginRequired, (await sessions.DecideAsync(new SessionQuery(opened.Token, true, false, null))).Outcome);
        Assert.Equal(RefreshFailures.Invalid, (await family.RotateAsync(new RefreshUse(token, appId))).Failure!.Code);
        Assert.Equal(AdminFailureCodes.NotFound, (await pool.EndUserSessionsAsync("no-such-user", new Actor("test", "test"))).Failure!.Code);
    }

    [Fact]
    public async Task A_pool_without_sessions_opens_none()
    {
        var (poolId, _, userId) = await UserAsync();
        Assert.Null(await fixture.Grains.GetGrain<IPoolSessionsGrain>(poolId).StartAsync(new SessionStart(userId, fixture.Time.GetUtcNow(), "wechat", [])));
    }
}
