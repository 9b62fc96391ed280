using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// The Origin rule, as the silo decides it when a ticket is opened: a browser page on one of the application's allowed
/// origins, or the application's backend (no Origin) with its own credentials; nobody else. The same rule through the
/// HTTP APIs (native, Authing, CORS on reads): tests/FunctionalTests/Grains/Tickets/OriginRuleTests.cs.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class OriginRuleTests(GrainClusterFixture fixture)
{
    private const string BrowserSecret = "browser-secret-value";
    private const string SiteOrigin = "https://site.example";

    private ITicketDeskGrain Desk => fixture.Grains.GetGrain<ITicketDeskGrain>(0);

    private static TicketOpening FromPage(string appId, string origin = SiteOrigin, string source = "wechat") =>
        new(appId, source, new Requester("10.0.0.1", "test-agent", origin), Secrets.HashBrowserSecret(BrowserSecret));

    private static TicketOpening FromServer(string appId, AppCredentials? credentials, string source = "wechat") =>
        new(appId, source, new Requester("10.0.0.1", "test-agent", null), Secrets.HashBrowserSecret(BrowserSecret), credentials);

    /// <summary>A tenant whose application allows <see cref="SiteOrigin"/>.</summary>
    private async Task<(string PoolId, string AppId)> TenantAsync()
    {
        var tenant = await fixture.NewTenant().Application(origins: [SiteOrigin]).SaveAsync(fixture.Grains);
        return (tenant.PoolId, tenant.AppId);
    }

    [Fact]
    public async Task Unknown_application_and_foreign_origin_are_refused_and_store_nothing()
    {
        var (_, appId) = await TenantAsync();
        Assert.Equal(FailureCodes.ApplicationNotFound, (await Desk.OpenAsync(FromPage("app-none-" + Guid.NewGuid().ToString("N")[..6]))).Failure!.Code);
        Assert.Equal(FailureCodes.OriginNotAllowed, (await Desk.OpenAsync(FromPage(appId, "https://evil.example"))).Failure!.Code);
        // Origins compare whole: a prefix of an allowed one is another site.
        Assert.Equal(FailureCodes.OriginNotAllowed, (await Desk.OpenAsync(FromPage(appId, SiteOrigin + ".evil.example"))).Failure!.Code);
    }

    [Fact]
    public async Task Without_an_origin_only_the_applications_own_credentials_open_a_ticket()
    {
        var (_, appId) = await TenantAsync();
        var other = await fixture.AddApplicationAsync((await fixture.Grains.GetGrain<IApplicationGrain>(appId).GetAsync())!.PoolId, "other-secret");

        Assert.Equal(FailureCodes.AppCredentialsInvalid, (await Desk.OpenAsync(FromServer(appId, null))).Failure!.Code);
        Assert.Equal(FailureCodes.AppCredentialsInvalid, (await Desk.OpenAsync(FromServer(appId, new AppCredentials(appId, "wrong-secret")))).Failure!.Code);
        // Another application's valid credentials do not open this one's tickets.
        Assert.Equal(FailureCodes.AppCredentialsInvalid, (await Desk.OpenAsync(FromServer(appId, new AppCredentials(other, "other-secret")))).Failure!.Code);
        Assert.Equal(TicketStatus.Pending, (await Desk.OpenAsync(FromServer(appId, new AppCredentials(appId, "app-secret")))).Value!.Ticket.Status);
        // A page that also shows credentials must show right ones.
        Assert.Equal(FailureCodes.AppCredentialsInvalid,
            (await Desk.OpenAsync(FromPage(appId) with { App = new AppCredentials(appId, "wrong-secret") })).Failure!.Code);
    }

    [Fact]
    public async Task An_empty_origin_is_no_origin()
    {
        var (_, appId) = await TenantAsync();
        // A request with an empty Origin header is a server's: it needs the application's credentials like one without.
        Assert.Equal(FailureCodes.AppCredentialsInvalid, (await Desk.OpenAsync(FromPage(appId, origin: ""))).Failure!.Code);
        Assert.Equal(TicketStatus.Pending,
            (await Desk.OpenAsync(FromPage(appId, origin: "") with { App = new AppCredentials(appId, "app-secret") })).Value!.Ticket.Status);
    }
}
