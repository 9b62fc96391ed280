using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Plays the browser and the phone against ticket grains of the test cluster.</summary>
public sealed class TicketDriver(GrainClusterFixture fixture)
{
    public const string BrowserSecret = "browser-secret-value";

    public async Task<ITicketGrain> OpenAsync(string appId)
    {
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        var opened = await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester("10.0.0.1", "test-agent", null), Secrets.HashBrowserSecret(BrowserSecret),
            new AppCredentials(appId, "app-secret")));
        Assert.True(opened.Succeeded, opened.Failure?.Message);
        return ticket;
    }

    /// <summary>Scans with a fresh login code of the WeChat user; answers the scan token.</summary>
    public async Task<string> ScanAsync(ITicketGrain ticket, string openId)
    {
        var scan = await ticket.ScanAsync(new ScanRequest(await fixture.Emulator.LoginCodeAsync(openId), "Mei", null));
        Assert.True(scan.Succeeded, scan.Failure?.Code);
        return scan.Value!.ScanToken;
    }

    /// <summary>Scans and confirms, sending a phone-number code when asked; answers what the confirm answered.</summary>
    public async Task<Outcome<TicketSnapshot>> ScanAndConfirmAsync(ITicketGrain ticket, string openId, bool withPhone = false)
    {
        var token = await ScanAsync(ticket, openId);
        return await ticket.ConfirmAsync(new ConfirmRequest(token, withPhone ? await fixture.Emulator.PhoneCodeAsync(openId) : null));
    }

    /// <summary>A new ticket of the app, logged into by the WeChat user and exchanged by the app's backend: the user it signed in.</summary>
    public async Task<UserProfile> LoginAsync(string appId, string openId, bool withPhone = false, string appSecret = "app-secret")
    {
        var ticket = await OpenAsync(appId);
        var confirmed = await ScanAndConfirmAsync(ticket, openId, withPhone);
        Assert.Equal(TicketStatus.Confirmed, confirmed.Value?.Status);
        var grant = await ticket.ExchangeAsync(new ExchangeRequest(confirmed.Value!.ExchangeCode!, null, new AppCredentials(appId, appSecret), null));
        Assert.True(grant.Succeeded, grant.Failure?.Code);
        return grant.Value!.User;
    }
}
