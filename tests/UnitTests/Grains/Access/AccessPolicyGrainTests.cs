using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests.Access;

/// <summary>The access policy as the front end asks it (<see cref="IAccessPolicyGrain"/>), over the silo's settings cache.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class AccessPolicyGrainTests(GrainClusterFixture fixture)
{
    private IAccessPolicyGrain Policy => fixture.Grains.GetGrain<IAccessPolicyGrain>(0);

    private Task SaveSourceAsync(string poolId, string identifier, bool enabled, params string[] appIds) =>
        fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, identifier)).SaveAsync(
            new IdentitySourceSettings(poolId, identifier, identifier, null, enabled, false, null, LoginMode.LoginAndRegister, AccountAssociation.Off,
                IdentitySourceSettings.DefaultTicketLifetime, appIds), null);

    [Fact]
    public async Task The_default_source_is_the_applications_one_usable_source_and_follows_admin_changes_at_once()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        Assert.Equal("wechat", (await Policy.ChooseIdentitySourceAsync(appId, null)).Value);

        // A second usable source makes "the default" ambiguous at once: the pool's list of sources is not served stale.
        await SaveSourceAsync(poolId, "second", enabled: true, appId);
        Assert.Equal(FailureCodes.IdentitySourceAmbiguous, (await Policy.ChooseIdentitySourceAsync(appId, null)).Failure!.Code);
        Assert.Equal("second", (await Policy.ChooseIdentitySourceAsync(appId, "second")).Value);
        Assert.Equal("second", (await Policy.ChooseIdentitySourceAsync(appId, null, firstOfSeveral: true)).Value); // "second" lists before "wechat"

        await SaveSourceAsync(poolId, "second", enabled: false, appId);
        Assert.Equal("wechat", (await Policy.ChooseIdentitySourceAsync(appId, null)).Value);
        Assert.Equal(FailureCodes.IdentitySourceDisabled, (await Policy.ChooseIdentitySourceAsync(appId, "second")).Failure!.Code);
        Assert.Equal(FailureCodes.IdentitySourceNotFound, (await Policy.ChooseIdentitySourceAsync(appId, "nope")).Failure!.Code);
        Assert.Equal(FailureCodes.ApplicationNotFound, (await Policy.ChooseIdentitySourceAsync("no-such-app", null)).Failure!.Code);
    }

    [Fact]
    public async Task A_pool_that_keeps_exchange_on_backends_refuses_public_clients_at_the_token_endpoint()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        Assert.Null(await Policy.CheckCodeRedemptionAsync(poolId, clientAuthenticated: false));
        await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "Test pool", BrowserExchangeDisabled: true));
        Assert.Equal(FailureCodes.ExchangeForbidden, (await Policy.CheckCodeRedemptionAsync(poolId, clientAuthenticated: false))!.Code);
        Assert.Null(await Policy.CheckCodeRedemptionAsync(poolId, clientAuthenticated: true));
    }

    [Fact]
    public async Task An_authing_browser_exchange_follows_the_applications_opt_in_as_soon_as_it_changes()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        await app.SaveAsync((await app.GetAsync())! with { AllowedOrigins = ["https://site.example"] }, null);
        Assert.Equal(FailureCodes.ExchangeForbidden, (await Policy.CheckAuthingBrowserExchangeAsync(appId, "https://site.example"))!.Code);
        await app.SaveAsync((await app.GetAsync())! with { AuthingBrowserExchange = true }, null);
        Assert.Null(await Policy.CheckAuthingBrowserExchangeAsync(appId, "https://site.example"));
        Assert.Equal(FailureCodes.OriginNotAllowed, (await Policy.CheckAuthingBrowserExchangeAsync(appId, "https://evil.example"))!.Code);
    }
}
