using System.Text;
using System.Text.Json;
using ScanLogin.Grains.Accounts;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// Ask-binding through the ticket grain, the user-pool grain and the user store: a WeChat identity the pool does not know
/// is bound to an existing account by its password, or to a new account, and only by whoever holds the ticket.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class BindingGrainTests(GrainClusterFixture fixture)
{
    private const string Password = "correct horse battery";
    private static readonly TicketHolder Browser = new(TicketDriver.BrowserSecret, null);
    private readonly TicketDriver _driver = new(fixture);

    private IUserStore Store => fixture.SiloService<IUserStore>();

    /// <summary>A pool asking new WeChat identities to bind, with one account that has a password; a ticket waiting for binding.</summary>
    private async Task<(string PoolId, string AppId, UserRecord Account, ITicketGrain Ticket, string OpenId)> WaitingTicketAsync(
        LoginMode mode = LoginMode.LoginAndRegister, bool withPhone = false)
    {
        var (poolId, appId) = await fixture.CreateTenantAsync(mode, AccountAssociation.AskBinding);
        var name = "mei" + Guid.NewGuid().ToString("N")[..6];
        var created = await fixture.Grains.GetGrain<IUserPoolGrain>(poolId)
            .CreateUsersAsync([new NewAccount(name, $"{name}@example.com", null, "Mei", null, Password)], Actor.Platform);
        var account = created.Value![0].User!;
        var openId = await fixture.Emulator.CreateUserAsync(phone: withPhone ? "137" + Random.Shared.Next(0, 100_000_000).ToString("D8") : null);
        var ticket = await _driver.OpenAsync(appId);
        var asked = await _driver.ScanAndConfirmAsync(ticket, openId, withPhone);
        Assert.Equal(TicketStatus.BindingRequired, asked.Value!.Status);
        return (poolId, appId, account, ticket, openId);
    }

    private async Task<string?> UserOfSubjectAsync(string poolId, string openId)
    {
        var subject = $"openid:{ScanLogin.Tests.Shared.EmulatorHost.AppId}:{openId}";
        return (await Store.LookupAsync(poolId, new AccountKeys([subject], [], [], [], []))).UserBySubject.GetValueOrDefault(subject);
    }

    private static string[] AuthenticationMethodsOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=')));
        return JsonDocument.Parse(json).RootElement.GetProperty("amr").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    [Fact]
    public async Task The_offer_says_what_the_page_may_do()
    {
        var (_, _, _, ticket, _) = await WaitingTicketAsync(withPhone: true);
        var offer = (await ticket.GetBindingAsync(Browser)).Value!;
        Assert.Equal((TicketStatus.BindingRequired, true, true, 5), (offer.Ticket.Status, offer.CanRegister, offer.PhoneShared, offer.AttemptsLeft));

        var (_, _, _, loginOnly, _) = await WaitingTicketAsync(LoginMode.LoginOnly);
        var narrow = (await loginOnly.GetBindingAsync(Browser)).Value!;
        Assert.Equal((false, false), (narrow.CanRegister, narrow.PhoneShared));

        // A ticket that does not wait for binding has nothing to offer; one that does not exist is not found.
        var pending = await _driver.OpenAsync((await fixture.CreateTenantAsync()).AppId);
        Assert.Equal(FailureCodes.InvalidTransition, (await pending.GetBindingAsync(Browser)).Failure?.Code);
        var missing = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.GetBindingAsync(Browser)).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.BindExistingAccountAsync(Browser, "x", "y")).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.BindNewAccountAsync(Browser, new NewAccount("x", null, null, null, null, null))).Failure?.Code);
    }

    [Fact]
    public async Task Signing_in_binds_the_identity_to_the_account_and_the_tokens_say_a_password_was_proven()
    {
        var (poolId, appId, account, ticket, openId) = await WaitingTicketAsync();

        var wrong = await ticket.BindExistingAccountAsync(Browser, account.Email!, "wrong password");
        Assert.Equal(FailureCodes.InvalidCredentials, wrong.Failure?.Code);
        Assert.Equal(4, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft);
        Assert.Null(await UserOfSubjectAsync(poolId, openId));

        // The account is named as people type it: case and surrounding spaces do not matter.
        var bound = await ticket.BindExistingAccountAsync(Browser, $"  {account.Email!.ToUpperInvariant()} ", Password);
        Assert.Equal(TicketStatus.Confirmed, bound.Value?.Status);
        Assert.NotNull(bound.Value!.ExchangeCode);
        Assert.Equal(account.Id, await UserOfSubjectAsync(poolId, openId));
        // The wrong password before is forgotten once the right one is given.
        Assert.Equal(0, (await Store.GetAsync(poolId, account.Id))!.FailedPasswords);

        var grant = (await ticket.ExchangeAsync(new ExchangeRequest(bound.Value.ExchangeCode!, TicketDriver.BrowserSecret, null, null))).Value!;
        Assert.Equal(account.Id, grant.User.Id);
        Assert.Equal(["wechat_scan", "pwd"], AuthenticationMethodsOf(grant.IdToken));
        // Bound for good: the next scan signs in without asking.
        Assert.Equal(account.Id, (await _driver.LoginAsync(appId, openId)).Id);
    }

    [Fact]
    public async Task Too_many_wrong_passwords_end_the_ticket_and_lock_the_account()
    {
        var (poolId, _, account, ticket, openId) = await WaitingTicketAsync();
        for (var i = 1; i < 5; i++)
            Assert.Equal(FailureCodes.InvalidCredentials, (await ticket.BindExistingAccountAsync(Browser, account.Username!, "wrong " + i)).Failure?.Code);
        Assert.Equal(1, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft);

        Assert.Equal(FailureCodes.TooManyAttempts, (await ticket.BindExistingAccountAsync(Browser, account.Username!, "wrong 5")).Failure?.Code);
        var status = (await ticket.GetStatusAsync()).Value!;
        Assert.Equal((TicketStatus.Rejected, FailureCodes.TooManyAttempts), (status.Status, status.Reason));
        Assert.Null(await UserOfSubjectAsync(poolId, openId));

        // Five wrong passwords also locked the account: the right password on a fresh ticket is refused for a while.
        var next = await NewWaitingTicketInAsync(poolId);
        Assert.Equal(FailureCodes.AccountLocked, (await next.BindExistingAccountAsync(Browser, account.Username!, Password)).Failure?.Code);
        Assert.Equal(TicketStatus.BindingRequired, (await next.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task The_wrong_password_that_reaches_the_limit_is_answered_as_a_lock_not_as_a_wrong_password()
    {
        var (poolId, _) = await fixture.CreateTenantAsync(LoginMode.LoginAndRegister, AccountAssociation.AskBinding);
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        var name = "mei" + Guid.NewGuid().ToString("N")[..6];
        Assert.NotNull((await pool.CreateUsersAsync([new NewAccount(name, null, null, "Mei", null, Password)], Actor.Platform)).Value![0].User);
        var login = new WeChatLogin("wechat", ScanLogin.Tests.Shared.EmulatorHost.AppId, "openid-" + Guid.NewGuid().ToString("N")[..8], null, null, "Mei", null,
            LoginMode.LoginAndRegister, AccountAssociation.AskBinding);

        for (var i = 1; i < 5; i++)
            Assert.Equal(FailureCodes.InvalidCredentials, (await pool.BindWithPasswordAsync(login, name, "wrong " + i)).Refusal?.Code);
        // The page hears at once that the account is now locked, not merely that this password was wrong.
        Assert.Equal(FailureCodes.AccountLocked, (await pool.BindWithPasswordAsync(login, name, "wrong 5")).Refusal?.Code);
        Assert.Equal(FailureCodes.AccountLocked, (await pool.BindWithPasswordAsync(login, name, Password)).Refusal?.Code);
    }

    /// <summary>Another ticket of the pool's application, waiting for binding.</summary>
    private async Task<ITicketGrain> NewWaitingTicketInAsync(string poolId)
    {
        var appId = (await fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat")).GetAsync())!.ApplicationIds[0];
        var ticket = await _driver.OpenAsync(appId);
        Assert.Equal(TicketStatus.BindingRequired, (await _driver.ScanAndConfirmAsync(ticket, await fixture.Emulator.CreateUserAsync(phone: null))).Value!.Status);
        return ticket;
    }

    [Fact]
    public async Task An_unknown_account_is_a_wrong_password_and_counts_against_the_ticket()
    {
        var (_, _, _, ticket, _) = await WaitingTicketAsync();
        Assert.Equal(FailureCodes.InvalidCredentials, (await ticket.BindExistingAccountAsync(Browser, "nobody-" + Guid.NewGuid().ToString("N"), Password)).Failure?.Code);
        Assert.Equal(4, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft);
    }

    [Fact]
    public async Task Registering_creates_one_account_for_the_identity_where_the_source_allows_it()
    {
        var (poolId, _, _, ticket, openId) = await WaitingTicketAsync();
        var name = "Lei" + Guid.NewGuid().ToString("N")[..6];
        var bound = await ticket.BindNewAccountAsync(Browser, new NewAccount(name, null, null, "Lei", null, "another good password"));
        Assert.Equal(TicketStatus.Confirmed, bound.Value?.Status);
        var userId = await UserOfSubjectAsync(poolId, openId);
        Assert.NotNull(userId);
        var stored = (await Store.GetAsync(poolId, userId!))!;
        Assert.Equal(name.ToLowerInvariant(), stored.Username);
        Assert.NotNull(stored.PasswordHash);
        Assert.NotEqual("another good password", stored.PasswordHash);
        var grant = (await ticket.ExchangeAsync(new ExchangeRequest(bound.Value!.ExchangeCode!, TicketDriver.BrowserSecret, null, null))).Value!;
        Assert.Equal(userId, grant.User.Id);
        Assert.Equal(["wechat_scan"], AuthenticationMethodsOf(grant.IdToken));

        // A login-only source never creates accounts, not even through binding.
        var (loginOnlyPool, _, _, loginOnly, loginOnlyOpenId) = await WaitingTicketAsync(LoginMode.LoginOnly);
        var refused = await loginOnly.BindNewAccountAsync(Browser, new NewAccount("x" + name, null, null, null, null, null));
        Assert.Equal(FailureCodes.RegistrationDisabled, refused.Failure?.Code);
        Assert.Null(await UserOfSubjectAsync(loginOnlyPool, loginOnlyOpenId));
        Assert.Equal(TicketStatus.BindingRequired, (await loginOnly.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task Only_the_browser_that_created_the_ticket_or_the_applications_backend_may_bind()
    {
        var (poolId, appId, account, ticket, openId) = await WaitingTicketAsync();
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        foreach (var stranger in new[]
                 {
                     new TicketHolder("another browser", null), new TicketHolder(null, new AppCredentials(appId, "wrong")),
                     new TicketHolder(null, null), new TicketHolder(TicketDriver.BrowserSecret, new AppCredentials(appId, "app-secret")),
                 })
        {
            Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.GetBindingAsync(stranger)).Failure?.Code);
            Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.BindExistingAccountAsync(stranger, account.Username!, Password)).Failure?.Code);
        }
        Assert.Equal(5, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft); // strangers' tries cost nothing

        // A pool that keeps browsers out leaves binding to the application's backend (the hosted login keeps its own rule).
        await pool.SaveSettingsAsync((await pool.GetSettingsAsync())! with { BrowserExchangeDisabled = true });
        Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.GetBindingAsync(Browser)).Failure?.Code);
        Assert.True((await ticket.GetBindingAsync(Browser with { HostedLogin = true })).Succeeded);
        var backend = new TicketHolder(null, new AppCredentials(appId, "app-secret"));
        Assert.Equal(TicketStatus.Confirmed, (await ticket.BindExistingAccountAsync(backend, account.Username!, Password)).Value?.Status);
        Assert.Equal(account.Id, await UserOfSubjectAsync(poolId, openId));
    }
}
