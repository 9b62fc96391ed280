using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using ScanLogin.Tests.Shared;
using SkiaSharp;
using Xunit;

namespace ScanLogin.UnitTests.Access;

/// <summary>
/// What a ticket keeps from its creation (<see cref="TicketTerms"/>): its CORS origins and how its code is drawn are
/// fixed by the access policy when the desk opens it, so later reads and pictures never read the application again; a
/// ticket stored before tickets kept terms gets them when its grain loads it.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketTermsTests(GrainClusterFixture fixture)
{
    private const string Site = "https://site.example";
    private readonly TicketDriver _driver = new(fixture);

    private async Task<(string PoolId, string AppId)> TenantWithOriginAsync()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        await app.SaveAsync((await app.GetAsync())! with { AllowedOrigins = [Site] }, null);
        return (poolId, appId);
    }

    [Fact]
    public async Task A_ticket_keeps_the_origins_it_was_created_with_in_its_status_and_its_pictures()
    {
        var (_, appId) = await TenantWithOriginAsync();
        var ticket = await _driver.OpenAsync(appId);
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        await app.SaveAsync((await app.GetAsync())! with { AllowedOrigins = ["https://moved.example"] }, null);

        Assert.Equal([Site], (await ticket.GetStatusAsync()).Value!.AllowedOrigins!);
        Assert.Equal([Site], (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 200))).Value!.AllowedOrigins);
        // A new ticket is opened under the new terms.
        Assert.Equal(["https://moved.example"], (await (await _driver.OpenAsync(appId)).GetStatusAsync()).Value!.AllowedOrigins!);
    }

    [Fact]
    public async Task A_ticket_keeps_the_logo_version_it_was_created_with()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        await source.SetLogoAsync(TestLogos.Png());
        var ticket = await _driver.OpenAsync(appId);
        Assert.True(HasLogo((await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 320))).Value!));

        // The logo is removed: this ticket's next picture is still drawn with the version it was created with, a new ticket's without.
        await source.SetLogoAsync(null);
        Assert.True(HasLogo((await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 240))).Value!));
        Assert.False(HasLogo((await (await _driver.OpenAsync(appId)).GetImageAsync(new QrImageRequest(QrFormat.Png, 240))).Value!));
    }

    private static bool HasLogo(QrImage image)
    {
        using var bitmap = SKBitmap.Decode(image.Content);
        var centre = bitmap.GetPixel(bitmap.Width / 2, bitmap.Height / 2);
        return !(centre.Red == centre.Green && centre.Green == centre.Blue);
    }

    [Fact]
    public async Task A_ticket_stored_before_tickets_kept_terms_reads_and_takes_them_from_the_settings()
    {
        var (poolId, appId) = await TenantWithOriginAsync();
        var now = fixture.Time.GetUtcNow();
        var id = Secrets.NewId();
        // What the store holds for a ticket written by the code before terms: every field but them.
        var stored = new TicketState
        {
            TicketId = id, Status = TicketStatus.Pending, Version = 1, PoolId = poolId, AppId = appId, IdentitySource = "wechat",
            Requester = new Requester("10.0.0.1", "test-agent", null), CreatedAt = now, ConfirmBy = now.AddMinutes(2),
            BrowserSecretHash = Secrets.HashBrowserSecret(TicketDriver.BrowserSecret), AppName = "Test app", IdentitySourceName = "WeChat",
        };
        Assert.Null(stored.Terms);
        Assert.True(await fixture.SiloService<ITicketStore>().WriteAsync(stored, 0, now.AddMinutes(10)));

        var ticket = fixture.Grains.GetGrain<ITicketGrain>(id);
        var status = (await ticket.GetStatusAsync()).Value!;
        Assert.Equal((TicketStatus.Pending, 1), (status.Status, status.Version));
        Assert.Equal([Site], status.AllowedOrigins!);
        Assert.Equal([Site], (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 200))).Value!.AllowedOrigins);

        // Its next move stores the terms with it.
        var scan = await ticket.ScanAsync(new ScanRequest(await fixture.Emulator.LoginCodeAsync(await fixture.Emulator.CreateUserAsync(phone: null)), null, null));
        Assert.True(scan.Succeeded, scan.Failure?.Message);
        Assert.Equal([Site], (await fixture.SiloService<ITicketStore>().ReadAsync(id))!.Terms!.AllowedOrigins);
    }
}
