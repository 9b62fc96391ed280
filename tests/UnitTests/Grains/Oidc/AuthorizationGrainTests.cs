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
    private async Task<(IAuthorizationGrain Login, string AppId, ITicketGrain Ticket)> ConfirmedLoginAsync(string? challenge, bool popup = false, bool formPost = false)
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.True((await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester("10.0.0.1", "ua", null), Secrets.HashBrowserSecret(BrowserSecret),
            HostedLogin: true))).Succeeded);
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        var request = new AuthorizationRequest(poolId, appId, Callback, ["openid", "profile"], "st", "nonce-1", challenge, "wechat", "en", popup, null,
            Secrets.HashBrowserSecret(BrowserSecret), formPost);
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

    [Fact]
    public async Task A_code_is_redeemed_only_by_the_client_it_was_issued_to()
    {
        var (login, appId, _) = await ConfirmedLoginAsync(S256(Verifier));
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;

        // Another application of the pool, authenticated and with the right verifier: refused, and the code is spent.
        var other = await login.RedeemAsync(new CodeRedemption(code, appId + "-other", Callback, Verifier, ClientAuthenticated: true));
        Assert.Equal(AuthorizationFailures.InvalidGrant, other.Failure!.Code);
        Assert.Equal(AuthorizationFailures.InvalidGrant, (await login.RedeemAsync(new CodeRedemption(code, appId, Callback, Verifier, true))).Failure!.Code);
    }

    [Fact]
    public async Task A_code_is_redeemed_only_with_the_redirect_uri_of_its_request()
    {
        var (login, appId, _) = await ConfirmedLoginAsync(S256(Verifier));
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;

        var other = await login.RedeemAsync(new CodeRedemption(code, appId, Callback + "/other", Verifier, true));
        Assert.Equal(AuthorizationFailures.InvalidGrant, other.Failure!.Code);
        Assert.Equal(AuthorizationFailures.InvalidGrant, (await login.RedeemAsync(new CodeRedemption(code, appId, Callback, Verifier, true))).Failure!.Code);
    }

    [Theory]
    [InlineData(42, false)]
    [InlineData(43, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public async Task A_code_verifier_has_43_to_128_characters(int length, bool accepted)
    {
        var verifier = new string('v', length);
        var (login, appId, _) = await ConfirmedLoginAsync(S256(verifier));
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;

        var redeemed = await login.RedeemAsync(new CodeRedemption(code, appId, Callback, verifier, ClientAuthenticated: false));

        Assert.Equal(accepted ? null : AuthorizationFailures.InvalidGrant, redeemed.Failure?.Code);
    }

    [Fact]
    public async Task A_code_without_PKCE_redeems_for_an_authenticated_client_until_its_lifetime_ends()
    {
        var (login, appId, _) = await ConfirmedLoginAsync(challenge: null);
        var completedAt = fixture.Time.GetUtcNow();
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;
        fixture.Time.Advance(TimeSpan.FromSeconds(59));

        var grant = await login.RedeemAsync(new CodeRedemption(code, appId, Callback, null, ClientAuthenticated: true));

        Assert.True(grant.Succeeded, grant.Failure?.Code);
        Assert.Equal(appId, grant.Value!.ClientId);
        Assert.Equal("wechat", grant.Value.IdentitySource);
        Assert.Equal(completedAt, grant.Value.AuthTime);
        Assert.False(string.IsNullOrEmpty(grant.Value.PoolId));
        Assert.Equal(grant.Value.User.PoolId, grant.Value.PoolId);
    }

    [Fact]
    public async Task A_code_is_dead_from_the_instant_its_lifetime_ends()
    {
        var (login, appId, _) = await ConfirmedLoginAsync(challenge: null);
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;
        fixture.Time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(AuthorizationFailures.InvalidGrant, (await login.RedeemAsync(new CodeRedemption(code, appId, Callback, null, true))).Failure!.Code);
    }

    [Fact]
    public async Task The_completion_carries_the_requests_response_mode()
    {
        var (popup, _, _) = await ConfirmedLoginAsync(S256(Verifier), popup: true);
        var done = (await popup.CompleteAsync(BrowserSecret)).Value!;
        Assert.True(done.Popup);
        Assert.False(done.FormPost);

        var (form, _, _) = await ConfirmedLoginAsync(S256(Verifier), formPost: true);
        var posted = (await form.CompleteAsync(BrowserSecret)).Value!;
        Assert.False(posted.Popup);
        Assert.True(posted.FormPost);
    }

    [Fact]
    public async Task Renewing_moves_the_login_to_a_new_ticket_only_for_its_browser_and_only_before_completion()
    {
        var (login, _, ticket) = await ConfirmedLoginAsync(S256(Verifier));
        var before = (await login.GetAsync(BrowserSecret)).Value!;
        Assert.Equal(ticket.GetPrimaryKeyString(), before.TicketId);
        Assert.False(before.Completed);

        Assert.Equal(AuthorizationFailures.OtherBrowser, (await login.RenewAsync("another-browser", "ticket-2")).Failure!.Code);
        var renewed = (await login.RenewAsync(BrowserSecret, "ticket-2")).Value!;
        Assert.Equal("ticket-2", renewed.TicketId);
        Assert.Equal("ticket-2", (await login.GetAsync(BrowserSecret)).Value!.TicketId);
        Assert.Equal(before.ExpiresAt, renewed.ExpiresAt);

        // Back to the confirmed ticket, then complete: no renewal after that.
        Assert.True((await login.RenewAsync(BrowserSecret, ticket.GetPrimaryKeyString())).Succeeded);
        Assert.True((await login.CompleteAsync(BrowserSecret)).Succeeded);
        Assert.True((await login.GetAsync(BrowserSecret)).Value!.Completed);
        Assert.Equal(AuthorizationFailures.AlreadyCompleted, (await login.RenewAsync(BrowserSecret, "ticket-3")).Failure!.Code);
    }

    [Fact]
    public async Task A_request_starts_once_and_is_gone_after_its_lifetime()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        var request = new AuthorizationRequest(poolId, appId, Callback, ["openid"], null, null, S256(Verifier), "wechat", "en", false, null,
            Secrets.HashBrowserSecret(BrowserSecret));
        Assert.Equal(AuthorizationFailures.RequestNotFound, (await login.GetAsync(BrowserSecret)).Failure!.Code);

        var started = (await login.StartAsync(request, "ticket-1")).Value!;
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(15), started.ExpiresAt);
        Assert.Equal(login.GetPrimaryKeyString(), started.RequestId);
        Assert.Equal(AuthorizationFailures.AlreadyCompleted, (await login.StartAsync(request, "ticket-2")).Failure!.Code);
        Assert.Equal("ticket-1", (await login.GetAsync(BrowserSecret)).Value!.TicketId);

        fixture.Time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        Assert.True((await login.GetAsync(BrowserSecret)).Succeeded);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AuthorizationFailures.RequestNotFound, (await login.GetAsync(BrowserSecret)).Failure!.Code);
    }

    /// <summary>A user of a pool that keeps sessions, with a session opened from a scan through <paramref name="source"/>.</summary>
    private async Task<(string PoolId, string AppId, string UserId, string SessionToken)> SessionAsync(string source)
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        var created = await pool.CreateUsersAsync([new NewAccount("mei-" + Guid.NewGuid().ToString("N")[..6], null, null, "Mei", null, null)],
            new Actor("test", "test"));
        var userId = created.Value![0].User!.Id;
        await pool.SaveSettingsAsync(new UserPoolSettings(poolId, "Test pool", SessionEnabled: true));
        var opened = await fixture.Grains.GetGrain<IPoolSessionsGrain>(poolId).StartAsync(
            new SessionStart(userId, fixture.Time.GetUtcNow(), source, [TokenRequest.WeChatScanMethod]));
        return (poolId, appId, userId, opened!.Token);
    }

    private static AuthorizationRequest Request(string poolId, string appId, string identitySource) =>
        new(poolId, appId, Callback, ["openid"], "st", "nonce-s", null, identitySource, "en", false, null, Secrets.HashBrowserSecret(BrowserSecret));

    [Fact]
    public async Task A_session_sign_in_mints_a_code_for_the_sessions_user_and_source_that_lives_the_code_lifetime()
    {
        var (poolId, appId, userId, token) = await SessionAsync("phone");
        var authTime = fixture.Time.GetUtcNow();
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        var startedAt = fixture.Time.GetUtcNow();

        var done = await login.StartFromSessionAsync(Request(poolId, appId, "wechat"), new SessionQuery(token, false, false, null));

        Assert.True(done.Succeeded, done.Failure?.Code);
        Assert.StartsWith(login.GetPrimaryKeyString() + ".", done.Value!.Code);
        Assert.Equal(Callback, done.Value.RedirectUri);
        Assert.Equal("st", done.Value.State);
        var view = (await login.GetAsync(BrowserSecret)).Value!;
        Assert.True(view.Completed);
        Assert.Equal("", view.TicketId); // no QR ticket was shown
        Assert.Equal(startedAt + TimeSpan.FromMinutes(15), view.ExpiresAt);
        // One start per request id, by either way in.
        Assert.Equal(AuthorizationFailures.AlreadyCompleted,
            (await login.StartFromSessionAsync(Request(poolId, appId, "wechat"), new SessionQuery(token, false, false, null))).Failure!.Code);

        fixture.Time.Advance(TimeSpan.FromSeconds(59));
        var grant = await login.RedeemAsync(new CodeRedemption(done.Value.Code, appId, Callback, null, ClientAuthenticated: true));
        Assert.True(grant.Succeeded, grant.Failure?.Code);
        Assert.Equal(userId, grant.Value!.User.Id);
        Assert.Equal(authTime, grant.Value.AuthTime);
        Assert.Equal("phone", grant.Value.IdentitySource);
        Assert.Equal("nonce-s", grant.Value.Nonce);
    }

    [Fact]
    public async Task A_session_sign_ins_code_is_dead_from_the_instant_its_lifetime_ends()
    {
        var (poolId, appId, _, token) = await SessionAsync("wechat");
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        var code = (await login.StartFromSessionAsync(Request(poolId, appId, "wechat"), new SessionQuery(token, false, false, null))).Value!.Code;
        fixture.Time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(AuthorizationFailures.InvalidGrant, (await login.RedeemAsync(new CodeRedemption(code, appId, Callback, null, true))).Failure!.Code);
    }

    [Fact]
    public async Task Without_a_session_prompt_none_answers_login_required_and_otherwise_a_scan_is_needed()
    {
        var (poolId, appId, _, _) = await SessionAsync("wechat");
        var request = Request(poolId, appId, "wechat");

        var none = await fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId()).StartFromSessionAsync(request, new SessionQuery(null, true, false, null));
        Assert.Equal(AuthorizationFailures.LoginRequired, none.Failure!.Code);
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        Assert.Equal(AuthorizationFailures.ScanNeeded, (await login.StartFromSessionAsync(request, new SessionQuery("no-such-session", false, false, null))).Failure!.Code);
        // Nothing was stored for the refused request: it can still start as a QR login.
        Assert.True((await login.StartAsync(request, "ticket-1")).Succeeded);
    }

    [Fact]
    public async Task A_hosted_login_completes_on_a_pool_that_keeps_the_exchange_on_application_backends()
    {
        var tenant = await fixture.NewTenant().Pool(browserExchangeDisabled: true).IdentitySource().SaveAsync(fixture.Grains);
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.True((await ticket.OpenAsync(new TicketOpening(tenant.AppId, "wechat", new Requester("10.0.0.1", "ua", null),
            Secrets.HashBrowserSecret(BrowserSecret), HostedLogin: true))).Succeeded);
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        Assert.True((await login.StartAsync(Request(tenant.PoolId, tenant.AppId, "wechat"), ticket.GetPrimaryKeyString())).Succeeded);
        var openId = await Emulator.CreateUserAsync(phone: null);
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), "Mei", null));
        Assert.True((await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Succeeded);

        var done = await login.CompleteAsync(BrowserSecret);

        Assert.True(done.Succeeded, done.Failure?.Code);
    }

    [Fact]
    public async Task A_code_issued_near_the_requests_end_outlives_the_request()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var login = fixture.Grains.GetGrain<IAuthorizationGrain>(Secrets.NewId());
        Assert.True((await login.StartAsync(Request(poolId, appId, "wechat"), "ticket-0")).Succeeded);
        fixture.Time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(30));

        // The page renewed its QR ticket just before the request's end; the phone confirms it.
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.True((await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester("10.0.0.1", "ua", null), Secrets.HashBrowserSecret(BrowserSecret),
            HostedLogin: true))).Succeeded);
        Assert.True((await login.RenewAsync(BrowserSecret, ticket.GetPrimaryKeyString())).Succeeded);
        var openId = await Emulator.CreateUserAsync(phone: null);
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), "Mei", null));
        Assert.True((await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Succeeded);
        var code = (await login.CompleteAsync(BrowserSecret)).Value!.Code;

        // Past the request's 15 minutes, within the code's 60 seconds: the login is kept until the code's end.
        fixture.Time.Advance(TimeSpan.FromSeconds(45));
        var grant = await login.RedeemAsync(new CodeRedemption(code, appId, Callback, null, ClientAuthenticated: true));
        Assert.True(grant.Succeeded, grant.Failure?.Code);
    }
}
