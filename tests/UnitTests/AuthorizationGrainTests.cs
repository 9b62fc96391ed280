using System.Security.Cryptography;
using System.Text;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The hosted login's grain on an in-process cluster: browser binding, one-use codes, PKCE and the code's lifetime on the fake clock.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class AuthorizationGrainTests(GrainClusterFixture fixture)
{
    private const string BrowserSecret = "hosted-login-browser-secret";
    private const string Verifier = "a-verifier-of-at-least-forty-three-characters-long";
    private const string Callback = "https://site.example/cb";
    private EmulatorHost Emulator => fixture.Emulator;

    /// <summary>A login whose ticket the phone has confirmed; answers the grain, the code and the ticket.</summary>
    private async Task<(IAuthorizationGrain Login, string AppId, ITicketGrain Ticket)> ConfirmedLoginAsync(string? challenge)
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.True((await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester("10.0.0.1", "ua", null), Secrets.HashBrowserSecret(BrowserSecret),
            HostedLogin: true))).Succeeded);
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        var request = new AuthorizationRequest(poolId, appId, Callback, ["openid", "profile"], "st", "nonce-1", challenge, "wechat", "en", false, null,
            Secrets.HashBrowserSecret(BrowserSecret));
        Assert.True((await login.StartAsync(request, ticket.GetPrimaryKeyString())).Succeeded);

        var openId = await Emulator.CreateUserAsync(phone: null);
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), "Mei", null));
        Assert.Equal(AuthorizationFailures.NotConfirmed, (await login.CompleteAsync(BrowserSecret)).Failure!.Code);
        Assert.True((await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Succeeded);
        return (login, appId, ticket);
    }

    private static string S256(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task Only_the_starting_browser_completes_and_the_code_redeems_once()
    {
        var (login, appId, ticket) = await ConfirmedLoginAsync(S256(Verifier));
        Assert.Equal(AuthorizationFailures.OtherBrowser, (await login.CompleteAsync("another-browser")).Failure!.Code);
        Assert.Equal(AuthorizationFailures.OtherBrowser, (await login.GetAsync("another-browser")).Failure!.Code);

        var done = (await login.CompleteAsync(BrowserSecret)).Value!;
        Assert.Equal(Callback, done.RedirectUri);
        Assert.Equal("st", done.State);
        Assert.StartsWith(login.GetPrimaryKeyString() + ".", done.Code);
        Assert.Equal(TicketStatus.Consumed, (await ticket.GetStatusAsync()).Value!.Status);
        Assert.Equal(AuthorizationFailures.AlreadyCompleted, (await login.CompleteAsync(BrowserSecret)).Failure!.Code);

        var grant = await login.RedeemAsync(new CodeRedemption(done.Code, appId, Callback, Verifier, ClientAuthenticated: false));
        Assert.Equal("nonce-1", grant.Value!.Nonce);
        Assert.Equal(["openid", "profile"], grant.Value.Scopes);
        Assert.Equal("Mei", grant.Value.User.Nickname);
        var replay = await login.RedeemAsync(new CodeRedemption(done.Code, appId, Callback, Verifier, ClientAuthenticated: true));
        Assert.Equal(AuthorizationFailures.InvalidGrant, replay.Failure!.Code);
    }

    [Fact]
    public async Task A_wrong_verifier_spends_the_code_and_a_guessed_code_finds_nothing()
    {
        var (login, appId, _) = await ConfirmedLoginAsync(S256(Verifier));
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;
        var guessed = await login.RedeemAsync(new CodeRedemption(login.GetPrimaryKeyString() + ".guess", appId, Callback, Verifier, true));
        Assert.Equal(AuthorizationFailures.InvalidGrant, guessed.Failure!.Code);

        var wrong = await login.RedeemAsync(new CodeRedemption(code, appId, Callback, Verifier + "x", true));
        Assert.Equal(AuthorizationFailures.InvalidGrant, wrong.Failure!.Code);
        Assert.False((await login.RedeemAsync(new CodeRedemption(code, appId, Callback, Verifier, true))).Succeeded);
    }

    [Fact]
    public async Task Without_PKCE_the_client_must_authenticate_and_the_code_dies_after_its_lifetime()
    {
        var (login, appId, _) = await ConfirmedLoginAsync(challenge: null);
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;
        Assert.Equal(AuthorizationFailures.InvalidClient, (await login.RedeemAsync(new CodeRedemption(code, appId, Callback, null, false))).Failure!.Code);

        var (late, lateApp, _) = await ConfirmedLoginAsync(challenge: null);
        var lateCode = (await late.CompleteAsync(BrowserSecret)).Value!.Code;
        fixture.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(AuthorizationFailures.InvalidGrant, (await late.RedeemAsync(new CodeRedemption(lateCode, lateApp, Callback, null, true))).Failure!.Code);
        Assert.Equal(AuthorizationFailures.InvalidGrant,
            (await late.RedeemAsync(new CodeRedemption(lateCode, "another-app", Callback, null, true))).Failure!.Code);
    }
}
