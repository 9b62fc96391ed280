using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The shared tenant builder stores what a test asked for, and working defaults for the rest.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TenantBuilderTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task A_default_tenant_opens_a_ticket_with_its_applications_credentials()
    {
        var tenant = await fixture.NewTenant().SaveAsync(fixture.Grains);

        var opened = await fixture.Grains.GetGrain<ITicketDeskGrain>(0).OpenAsync(new TicketOpening(tenant.AppId, tenant.SourceId,
            new Requester("10.0.0.1", "test-agent", null), Secrets.HashBrowserSecret("browser-secret"), new AppCredentials(tenant.AppId, "app-secret")));
        Assert.Equal(TicketStatus.Pending, opened.Value!.Ticket.Status);
        Assert.Null(tenant.ApiKey);
    }

    [Fact]
    public async Task What_a_test_asks_for_is_stored_pool_application_sources_and_a_working_api_key()
    {
        var tenant = await fixture.NewTenant()
            .Pool(name: "Shop pool", browserExchangeDisabled: true)
            .Application(origins: ["https://shop.example"], callbacks: ["https://shop.example/callback"], secret: "shop-secret")
            .IdentitySource(association: AccountAssociation.AskBinding, ticketLifetime: TimeSpan.FromSeconds(60))
            .AnotherIdentitySource("wechat-members", mode: LoginMode.LoginOnly)
            .ApiKey()
            .SaveAsync(fixture.Grains);

        var pool = (await fixture.Grains.GetGrain<IUserPoolGrain>(tenant.PoolId).GetSettingsAsync())!;
        Assert.Equal(("Shop pool", true), (pool.Name, pool.BrowserExchangeDisabled));
        var app = fixture.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        var settings = (await app.GetAsync())!;
        Assert.Equal((tenant.PoolId, "https://shop.example", "https://shop.example/callback"),
            (settings.PoolId, Assert.Single(settings.AllowedOrigins), Assert.Single(settings.CallbackUrls)));
        Assert.True(await app.VerifySecretAsync("shop-secret"));
        var source = (await fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, TenantBuilder.DefaultSource)).GetAsync())!;
        Assert.Equal((AccountAssociation.AskBinding, TimeSpan.FromSeconds(60), tenant.AppId), (source.Association, source.TicketLifetime, Assert.Single(source.ApplicationIds)));
        var members = (await fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, "wechat-members")).GetAsync())!;
        Assert.Equal((LoginMode.LoginOnly, tenant.AppId), (members.LoginMode, Assert.Single(members.ApplicationIds)));

        Assert.True(PoolApiKey.TryParse(tenant.ApiKey!, out var poolId, out var keyId, out var secret));
        Assert.Equal(tenant.PoolId, poolId);
        Assert.True(await fixture.Grains.GetGrain<IUserPoolGrain>(tenant.PoolId).VerifyApiKeyAsync(keyId, secret));
        Assert.DoesNotContain("shop-secret", tenant.ToString());
    }
}
