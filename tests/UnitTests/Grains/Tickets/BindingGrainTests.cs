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
    private async Task<(string PoolId, string AppId, UserRecord Account, ITicketGrain Ticket, string OpenId, string Code)> WaitingTicketAsync(
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
        return (poolId, appId, account, ticket, openId, asked.Value.BindingCode!);
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
        var (_, _, _, ticket, _, _) = await WaitingTicketAsync(withPhone: true);
        var offer = (await ticket.GetBindingAsync(Browser)).Value!;
        Assert.Equal((TicketStatus.BindingRequired, true, true, 5), (offer.Ticket.Status, offer.CanRegister, offer.PhoneShared, offer.AttemptsLeft));

        var (_, _, _, loginOnly, _, _) = await WaitingTicketAsync(LoginMode.LoginOnly);
        var narrow = (await loginOnly.GetBindingAsync(Browser)).Value!;
        Assert.Equal((false, false), (narrow.CanRegister, narrow.PhoneShared));

        // A ticket that does not wait for binding has nothing to offer; one that does not exist is not found.
        var pending = await _driver.OpenAsync((await fixture.CreateTenantAsync()).AppId);
        Assert.Equal(FailureCodes.InvalidTransition, (await pending.GetBindingAsync(Browser)).Failure?.Code);
        var missing = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.GetBindingAsync(Browser)).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.BindExistingAccountAsync(Browser, "123456", "x", "y")).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await missing.BindNewAccountAsync(Browser, "123456", new NewAccount("x", null, null, null, null, null))).Failure?.Code);
    }

    [Fact]
    public async Task Signing_in_binds_the_identity_to_the_account_and_the_tokens_say_a_password_was_proven()
    {
        var (poolId, appId, account, ticket, openId, code) = await WaitingTicketAsync();

        var wrong = await ticket.BindExistingAccountAsync(Browser, code, account.Email!, "wrong password");
        Assert.Equal(FailureCodes.InvalidCredentials, wrong.Failure?.Code);
        Assert.Equal(4, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft);
        Assert.Null(await UserOfSubjectAsync(poolId, openId));

        // The account is named as people type it: case and surrounding spaces do not matter.
        var bound = await ticket.BindExistingAccountAsync(Browser, code, $"  {account.Email!.ToUpperInvariant()} ", Password);
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
    public async Task Too_many_wrong_passwords_end_the_ticket_and_lock_out_only_the_identity_that_tried_them()
    {
        var (poolId, _, account, ticket, openId, code) = await WaitingTicketAsync();
        for (var i = 1; i < 5; i++)
            Assert.Equal(FailureCodes.InvalidCredentials, (await ticket.BindExistingAccountAsync(Browser, code, account.Username!, "wrong " + i)).Failure?.Code);
        Assert.Equal(1, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft);

        Assert.Equal(FailureCodes.TooManyAttempts, (await ticket.BindExistingAccountAsync(Browser, code, account.Username!, "wrong 5")).Failure?.Code);
        var status = (await ticket.GetStatusAsync()).Value!;
        Assert.Equal((TicketStatus.Rejected, FailureCodes.TooManyAttempts), (status.Status, status.Reason));
        Assert.Null(await UserOfSubjectAsync(poolId, openId));

        // The same WeChat identity on a fresh ticket is refused for this account for a while, even with the right password,
        // and hears the same answer as for a wrong one.
        var (again, againCode) = await NewWaitingTicketInAsync(poolId, openId);
        Assert.Equal(FailureCodes.InvalidCredentials, (await again.BindExistingAccountAsync(Browser, againCode, account.Username!, Password)).Failure?.Code);
        Assert.Null(await UserOfSubjectAsync(poolId, openId));

        // Anyone else is not: the stranger's wrong passwords did not lock the account for its owner.
        var ownerOpenId = await fixture.Emulator.CreateUserAsync(phone: null);
        var (owners, ownersCode) = await NewWaitingTicketInAsync(poolId, ownerOpenId);
        Assert.Equal(TicketStatus.Confirmed, (await owners.BindExistingAccountAsync(Browser, ownersCode, account.Username!, Password)).Value?.Status);
        Assert.Equal(account.Id, await UserOfSubjectAsync(poolId, ownerOpenId));
    }

    [Fact]
    public async Task Unknown_account_wrong_password_and_locked_out_identity_get_the_same_answer_after_the_same_hashing()
    {
        var (poolId, _) = await fixture.CreateTenantAsync(LoginMode.LoginAndRegister, AccountAssociation.AskBinding);
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        var name = "mei" + Guid.NewGuid().ToString("N")[..6];
        Assert.NotNull((await pool.CreateUsersAsync([new NewAccount(name, null, null, "Mei", null, Password)], Actor.Platform)).Value![0].User);
        WeChatLogin Identity() => new("wechat", ScanLogin.Tests.Shared.EmulatorHost.AppId, "openid-" + Guid.NewGuid().ToString("N")[..8], null, null, "Mei", null,
            LoginMode.LoginAndRegister, AccountAssociation.AskBinding);
        var stranger = Identity();
        var hashing = fixture.SiloService<PasswordHashing>();

        async Task<string?> RefusalWithOneHashAsync(WeChatLogin login, string account, string password)
        {
            var before = hashing.Verifications;
            var answer = await pool.BindWithPasswordAsync(login, account, password);
            Assert.Equal(before + 1, hashing.Verifications);
            return answer.Refusal?.Code;
        }

        Assert.Equal(FailureCodes.InvalidCredentials, await RefusalWithOneHashAsync(stranger, "nobody-" + Guid.NewGuid().ToString("N")[..8], Password));
        for (var i = 1; i <= 5; i++) Assert.Equal(FailureCodes.InvalidCredentials, await RefusalWithOneHashAsync(stranger, name, "wrong " + i));
        // Locked out (for this identity only): the right password gets the same answer, after the same work.
        Assert.Equal(FailureCodes.InvalidCredentials, await RefusalWithOneHashAsync(stranger, name, Password));
        Assert.NotNull((await pool.BindWithPasswordAsync(Identity(), name, Password)).User);
    }

    /// <summary>Another ticket of the pool's application, waiting for binding, and the code its phone shows.</summary>
    private async Task<(ITicketGrain Ticket, string Code)> NewWaitingTicketInAsync(string poolId, string? openId = null)
    {
        var appId = (await fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat")).GetAsync())!.ApplicationIds[0];
        var ticket = await _driver.OpenAsync(appId);
        var asked = (await _driver.ScanAndConfirmAsync(ticket, openId ?? await fixture.Emulator.CreateUserAsync(phone: null))).Value!;
        Assert.Equal(TicketStatus.BindingRequired, asked.Status);
        return (ticket, asked.BindingCode!);
    }

    [Fact]
    public async Task The_phones_confirm_answer_alone_carries_the_binding_code_and_a_retry_gets_the_same_one()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync(LoginMode.LoginAndRegister, AccountAssociation.AskBinding);
        var ticket = await _driver.OpenAsync(appId);
        var openId = await fixture.Emulator.CreateUserAsync(phone: null);
        var token = (await ticket.ScanAsync(new ScanRequest(await fixture.Emulator.LoginCodeAsync(openId), "Mei", null))).Value!.ScanToken;
        var first = (await ticket.ConfirmAsync(new ConfirmRequest(token, null))).Value!;
        Assert.Equal(TicketStatus.BindingRequired, first.Status);
        Assert.Matches("^[0-9]{6}$", first.BindingCode);
        Assert.Equal(first.BindingCode, (await ticket.ConfirmAsync(new ConfirmRequest(token, null))).Value!.BindingCode);
        // Whoever holds only the ticket id (or even the browser secret) never reads it.
        Assert.Null((await ticket.GetStatusAsync()).Value!.BindingCode);
        Assert.Null((await ticket.GetBindingAsync(Browser)).Value!.Ticket.BindingCode);
        // Codes differ from ticket to ticket (made by the CSPRNG, not derived from anything the PC knows).
        var codes = new HashSet<string>();
        for (var i = 0; i < 4; i++) codes.Add((await NewWaitingTicketInAsync(poolId)).Code);
        Assert.True(codes.Count >= 3, $"Codes of four tickets: {string.Join(", ", codes)}");
    }

    [Fact]
    public async Task A_wrong_binding_code_binds_nothing_and_counts_as_a_failed_attempt()
    {
        var (poolId, _, account, ticket, openId, code) = await WaitingTicketAsync();
        var wrongCode = ((int.Parse(code) + 1) % 1_000_000).ToString("D6");
        // The right password with the wrong code: the scanner's WeChat is not bound to the account the PC signs in to.
        Assert.Equal(FailureCodes.BindingCodeInvalid, (await ticket.BindExistingAccountAsync(Browser, wrongCode, account.Username!, Password)).Failure?.Code);
        Assert.Equal(FailureCodes.BindingCodeInvalid, (await ticket.BindNewAccountAsync(Browser, wrongCode, new NewAccount(null, null, null, null, null, null))).Failure?.Code);
        Assert.Equal(3, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft);
        Assert.Null(await UserOfSubjectAsync(poolId, openId));
        // The application's backend needs the code as well.
        var backend = new TicketHolder(null, new AppCredentials((await ticket.GetStatusAsync()).Value!.AppId!, "app-secret"));
        Assert.Equal(FailureCodes.BindingCodeInvalid, (await ticket.BindExistingAccountAsync(backend, "", account.Username!, Password)).Failure?.Code);
        Assert.Equal(FailureCodes.BindingCodeInvalid, (await ticket.BindExistingAccountAsync(Browser, wrongCode, account.Username!, Password)).Failure?.Code);
        Assert.Equal(FailureCodes.TooManyAttempts, (await ticket.BindExistingAccountAsync(Browser, wrongCode, account.Username!, Password)).Failure?.Code);
        Assert.Equal(TicketStatus.Rejected, (await ticket.GetStatusAsync()).Value!.Status);
        Assert.Null(await UserOfSubjectAsync(poolId, openId));
    }

    [Fact]
    public async Task An_unknown_account_is_a_wrong_password_and_counts_against_the_ticket()
    {
        var (_, _, _, ticket, _, code) = await WaitingTicketAsync();
        Assert.Equal(FailureCodes.InvalidCredentials, (await ticket.BindExistingAccountAsync(Browser, code, "nobody-" + Guid.NewGuid().ToString("N"), Password)).Failure?.Code);
        Assert.Equal(4, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft);
    }

    [Fact]
    public async Task Registering_creates_one_account_for_the_identity_where_the_source_allows_it()
    {
        var (poolId, _, _, ticket, openId, code) = await WaitingTicketAsync();
        var name = "Lei" + Guid.NewGuid().ToString("N")[..6];
        var bound = await ticket.BindNewAccountAsync(Browser, code, new NewAccount(name, null, null, "Lei", null, "another good password"));
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
        var (loginOnlyPool, _, _, loginOnly, loginOnlyOpenId, loginOnlyCode) = await WaitingTicketAsync(LoginMode.LoginOnly);
        var refused = await loginOnly.BindNewAccountAsync(Browser, loginOnlyCode, new NewAccount("x" + name, null, null, null, null, null));
        Assert.Equal(FailureCodes.RegistrationDisabled, refused.Failure?.Code);
        Assert.Null(await UserOfSubjectAsync(loginOnlyPool, loginOnlyOpenId));
        Assert.Equal(TicketStatus.BindingRequired, (await loginOnly.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task Only_the_browser_that_created_the_ticket_or_the_applications_backend_may_bind()
    {
        var (poolId, appId, account, ticket, openId, code) = await WaitingTicketAsync();
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        foreach (var stranger in new[]
                 {
                     new TicketHolder("another browser", null), new TicketHolder(null, new AppCredentials(appId, "wrong")),
                     new TicketHolder(null, null), new TicketHolder(TicketDriver.BrowserSecret, new AppCredentials(appId, "app-secret")),
                 })
        {
            Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.GetBindingAsync(stranger)).Failure?.Code);
            Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.BindExistingAccountAsync(stranger, code, account.Username!, Password)).Failure?.Code);
        }
        Assert.Equal(5, (await ticket.GetBindingAsync(Browser)).Value!.AttemptsLeft); // strangers' tries cost nothing

        // A pool that keeps browsers out leaves binding to the application's backend (the hosted login keeps its own rule).
        await pool.SaveSettingsAsync((await pool.GetSettingsAsync())! with { BrowserExchangeDisabled = true });
        Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.GetBindingAsync(Browser)).Failure?.Code);
        Assert.True((await ticket.GetBindingAsync(Browser with { HostedLogin = true })).Succeeded);
        var backend = new TicketHolder(null, new AppCredentials(appId, "app-secret"));
        Assert.Equal(TicketStatus.Confirmed, (await ticket.BindExistingAccountAsync(backend, code, account.Username!, Password)).Value?.Status);
        Assert.Equal(account.Id, await UserOfSubjectAsync(poolId, openId));
    }
}
