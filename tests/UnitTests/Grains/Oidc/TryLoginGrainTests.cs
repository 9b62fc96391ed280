using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The console's try login on an in-process cluster: one admitted authorization, one redemption, and its lifetime on the fake clock.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TryLoginGrainTests(GrainClusterFixture fixture)
{
    private const string Callback = "https://login.example/oidc/pool-a/try-login/callback";

    private async Task<ITryLoginGrain> OpenAsync()
    {
        var grain = fixture.Grains.GetGrain<ITryLoginGrain>(Secrets.NewId());
        Assert.True((await grain.OpenAsync(new TryLoginOpening("pool-a", "app-a", "wechat", Callback, "verifier", "challenge"))).Succeeded);
        return grain;
    }

    [Fact]
    public async Task A_try_admits_one_authorization_for_its_own_pool_client_redirect_and_challenge()
    {
        var grain = await OpenAsync();
        Assert.False(await grain.AdmitAuthorizationAsync("pool-b", "app-a", Callback, "challenge"));
        Assert.False(await grain.AdmitAuthorizationAsync("pool-a", "app-b", Callback, "challenge"));
        Assert.False(await grain.AdmitAuthorizationAsync("pool-a", "app-a", "https://evil.example/cb", "challenge"));
        Assert.False(await grain.AdmitAuthorizationAsync("pool-a", "app-a", Callback, "another-challenge"));
        Assert.False(await grain.AdmitAuthorizationAsync("pool-a", "app-a", Callback, null));
        Assert.True(await grain.AdmitAuthorizationAsync("pool-a", "app-a", Callback, "challenge"));
        Assert.False(await grain.AdmitAuthorizationAsync("pool-a", "app-a", Callback, "challenge"));
        Assert.Equal(AdminFailureCodes.Exists, (await grain.OpenAsync(new TryLoginOpening("pool-a", "app-a", "wechat", Callback, "v2", "c2"))).Failure!.Code);
    }

    [Fact]
    public async Task The_verifier_is_handed_out_once_and_only_after_the_authorization_was_admitted()
    {
        var grain = await OpenAsync();
        Assert.False((await grain.BeginRedemptionAsync("pool-a")).Succeeded);
        Assert.True(await grain.AdmitAuthorizationAsync("pool-a", "app-a", Callback, "challenge"));
        Assert.False((await grain.BeginRedemptionAsync("pool-b")).Succeeded);
        Assert.Equal("verifier", (await grain.BeginRedemptionAsync("pool-a")).Value!.CodeVerifier);
        Assert.False((await grain.BeginRedemptionAsync("pool-a")).Succeeded);

        Assert.Equal(TryLoginStatus.Pending, (await grain.GetAsync())!.Status);
        await grain.FinishAsync(new TryLoginResult("{\"id\":\"u\"}", "{\"sub\":\"u\"}", null, null));
        await grain.FinishAsync(new TryLoginResult(null, null, "late", null));
        var view = (await grain.GetAsync())!;
        Assert.Equal(TryLoginStatus.SignedIn, view.Status);
        Assert.Equal("{\"sub\":\"u\"}", view.Result!.ClaimsJson);
    }

    [Fact]
    public async Task An_expired_try_admits_nothing_and_reads_as_failed()
    {
        var grain = await OpenAsync();
        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(await grain.AdmitAuthorizationAsync("pool-a", "app-a", Callback, "challenge"));
        var view = (await grain.GetAsync())!;
        Assert.Equal(TryLoginStatus.Failed, view.Status);
        Assert.Equal("expired", view.Result!.Error);
        Assert.Null(await fixture.Grains.GetGrain<ITryLoginGrain>(Secrets.NewId()).GetAsync());
    }

    [Fact]
    public async Task A_pending_try_has_no_result_and_a_finished_error_reads_as_failed()
    {
        var grain = await OpenAsync();
        var pending = (await grain.GetAsync())!;
        Assert.Equal(TryLoginStatus.Pending, pending.Status);
        Assert.Null(pending.Result);

        await grain.FinishAsync(new TryLoginResult(null, null, "access_denied", "The user refused."));
        var view = (await grain.GetAsync())!;
        Assert.Equal(TryLoginStatus.Failed, view.Status);
        Assert.Equal("access_denied", view.Result!.Error);
    }

    [Fact]
    public async Task A_finished_try_keeps_its_result_after_its_lifetime()
    {
        var grain = await OpenAsync();
        await grain.FinishAsync(new TryLoginResult("{\"id\":\"u\"}", "{\"sub\":\"u\"}", null, null));
        fixture.Time.Advance(TimeSpan.FromMinutes(10));

        var view = (await grain.GetAsync())!;
        Assert.Equal(TryLoginStatus.SignedIn, view.Status);
        Assert.Null(view.Result!.Error);
        Assert.Equal("{\"sub\":\"u\"}", view.Result.ClaimsJson);
    }
}
