using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The ticket grain on an in-process cluster: transitions, idempotency and expiry on the fake clock.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketGrainTests(GrainClusterFixture fixture)
{
    private const string BrowserSecret = "browser-secret-value";
    private EmulatorHost Emulator => fixture.Emulator;

    private async Task<ITicketGrain> OpenAsync(string appId)
    {
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        var opened = await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester("10.0.0.1", "test-agent", null), Secrets.HashBrowserSecret(BrowserSecret),
            new AppCredentials(appId, "app-secret")));
        Assert.True(opened.Succeeded, opened.Failure?.Message);
        return ticket;
    }

    [Fact]
    public async Task A_login_runs_from_open_to_consumed_and_the_exchange_is_single_use()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        var openId = await Emulator.CreateUserAsync(phone: "13700000001");

        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), "Mei", null));
        Assert.Equal(TicketStatus.Scanned, scan.Value!.Ticket.Status);
        Assert.Equal("Test app", scan.Value.AppName);
        Assert.Equal("10.0.0.1", scan.Value.Requester.IpAddress);

        var confirmed = await ticket.ConfirmAsync(new ConfirmRequest(scan.Value.ScanToken, await Emulator.PhoneCodeAsync(openId)));
        Assert.Equal(TicketStatus.Confirmed, confirmed.Value!.Status);
        Assert.Equal(3, confirmed.Value.Version);

        var code = confirmed.Value.ExchangeCode!;
        var grant = await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, "key-1"));
        Assert.Equal(poolId, grant.Value!.User.PoolId);
        Assert.Equal("+8613700000001", grant.Value.User.Phone);

        var retried = await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, "key-1"));
        // The retry signs the very same header and claims (ES256 signatures themselves are randomized).
        Assert.Equal(grant.Value.AccessToken.Split('.')[..2], retried.Value!.AccessToken.Split('.')[..2]);
        Assert.Equal(grant.Value.IdToken.Split('.')[..2], retried.Value.IdToken.Split('.')[..2]);
        var second = await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, null));
        Assert.Equal(FailureCodes.AlreadyExchanged, second.Failure!.Code);
        Assert.Equal(TicketStatus.Consumed, (await ticket.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task Exchange_needs_the_browser_secret_or_the_app_secret()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        var openId = await Emulator.CreateUserAsync(phone: null);
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), null, null));
        var code = (await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Value!.ExchangeCode!;

        Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.ExchangeAsync(new ExchangeRequest(code, "wrong", null, null))).Failure!.Code);
        Assert.Equal(FailureCodes.ExchangeForbidden,
            (await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(appId, "wrong"), null))).Failure!.Code);
        Assert.Equal(FailureCodes.ExchangeCodeInvalid, (await ticket.ExchangeAsync(new ExchangeRequest(code + "x", BrowserSecret, null, null))).Failure!.Code);
        Assert.True((await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(appId, "app-secret"), null))).Succeeded);
    }

    [Fact]
    public async Task Confirm_before_scan_is_refused_and_changes_nothing()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        var refused = await ticket.ConfirmAsync(new ConfirmRequest("any-token", null));
        Assert.Equal(FailureCodes.InvalidTransition, refused.Failure!.Code);
        var status = (await ticket.GetStatusAsync()).Value!;
        Assert.Equal((TicketStatus.Pending, 1), (status.Status, status.Version));
    }

    [Fact]
    public async Task A_retried_scan_and_confirm_get_the_same_answer()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        var openId = await Emulator.CreateUserAsync();
        var loginCode = await Emulator.LoginCodeAsync(openId);
        var first = await ticket.ScanAsync(new ScanRequest(loginCode, null, null));
        // WeChat would answer 40163 for the used code: the grain recognises the retry instead.
        var again = await ticket.ScanAsync(new ScanRequest(loginCode, null, null));
        Assert.Equal(first.Value!.ScanToken, again.Value!.ScanToken);

        var confirmed = await ticket.ConfirmAsync(new ConfirmRequest(first.Value.ScanToken, null));
        Assert.Equal(TicketStatus.Confirmed, confirmed.Value?.Status);
        Assert.NotNull(confirmed.Value!.ExchangeCode);
        var retried = await ticket.ConfirmAsync(new ConfirmRequest(first.Value.ScanToken, null));
        Assert.Equal(confirmed.Value, retried.Value);
    }

    [Fact]
    public async Task A_confirmed_ticket_answers_its_exchange_code_to_no_other_scan_token()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)), null, null));
        var confirmed = (await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Value!;

        // The same letters in another case: a random token without a lower-case letter would be unchanged, so one is forced in.
        var otherCase = scan.Value.ScanToken.Any(char.IsAsciiLetterLower) ? scan.Value.ScanToken.ToUpperInvariant() : "a" + scan.Value.ScanToken[1..];
        Assert.NotEqual(scan.Value.ScanToken, otherCase);
        foreach (var token in new[] { "", "guess", scan.Value.ScanToken + "x", otherCase })
        {
            var other = await ticket.ConfirmAsync(new ConfirmRequest(token, null));
            Assert.Equal(FailureCodes.InvalidTransition, other.Failure?.Code);
            Assert.Null(other.Value);
        }
        // Nor after the policy refused: a retried rejection is told only to its own scanner.
        var (_, loginOnlyApp) = await fixture.CreateTenantAsync(LoginMode.LoginOnly);
        var refused = await OpenAsync(loginOnlyApp);
        var refusedScan = await refused.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)), null, null));
        var rejected = (await refused.ConfirmAsync(new ConfirmRequest(refusedScan.Value!.ScanToken, null))).Value!;
        Assert.Equal(rejected, (await refused.ConfirmAsync(new ConfirmRequest(refusedScan.Value.ScanToken, null))).Value);
        Assert.Equal(FailureCodes.InvalidTransition, (await refused.ConfirmAsync(new ConfirmRequest("guess", null))).Failure?.Code);
        Assert.Equal(confirmed, (await ticket.GetStatusAsync()).Value);
    }

    [Fact]
    public async Task Another_user_cannot_take_over_a_scanned_ticket()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()), null, null));
        var intruder = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()), null, null));
        Assert.Equal(FailureCodes.AlreadyScanned, intruder.Failure!.Code);
    }

    [Fact]
    public async Task Login_only_mode_rejects_a_new_wechat_user()
    {
        var (_, appId) = await fixture.CreateTenantAsync(LoginMode.LoginOnly);
        var ticket = await OpenAsync(appId);
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()), null, null));
        var outcome = await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null));
        Assert.Equal(TicketStatus.Rejected, outcome.Value!.Status);
        Assert.Equal(FailureCodes.AccountNotFound, outcome.Value.Reason);
    }

    [Fact]
    public async Task The_same_identity_signs_in_to_the_same_user_across_tickets()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var openId = await Emulator.CreateUserAsync(phone: null);
        var users = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var ticket = await OpenAsync(appId);
            var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), null, null));
            var code = (await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Value!.ExchangeCode!;
            users.Add((await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, null))).Value!.User.Id);
        }
        Assert.Single(users.Distinct());
    }

    [Fact]
    public async Task An_unknown_application_or_source_or_a_source_not_enabled_for_the_application_cannot_open_a_ticket()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var sameCompanyApp = await fixture.AddApplicationAsync(poolId, "other-secret");
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        var requester = new Requester(null, null, null);
        Assert.Equal(FailureCodes.ApplicationNotFound, (await ticket.OpenAsync(new TicketOpening("no-such-app", "wechat", requester, "h"))).Failure!.Code);
        Assert.Equal(FailureCodes.IdentitySourceNotFound,
            (await ticket.OpenAsync(new TicketOpening(appId, "other", requester, "h", new AppCredentials(appId, "app-secret")))).Failure!.Code);
        // The pool's source exists and is enabled, but not for this application of the same pool.
        Assert.Equal(FailureCodes.IdentitySourceNotEnabledForApp,
            (await ticket.OpenAsync(new TicketOpening(sameCompanyApp, "wechat", requester, "h", new AppCredentials(sameCompanyApp, "other-secret")))).Failure!.Code);
        Assert.Equal(FailureCodes.TicketNotFound, (await ticket.GetStatusAsync()).Failure!.Code);
        Assert.True((await ticket.OpenAsync(new TicketOpening(appId, "wechat", requester, "h", new AppCredentials(appId, "app-secret")))).Succeeded);
    }

    [Fact]
    public async Task A_live_ticket_cannot_be_scanned_or_confirmed_once_its_application_is_taken_off_the_source()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        var scanned = await OpenAsync(appId);
        var pending = await OpenAsync(appId);
        var openId = await Emulator.CreateUserAsync(phone: null);
        var scan = await scanned.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), null, null));

        var otherApp = await fixture.AddApplicationAsync(poolId, "other-secret");
        await source.SaveAsync((await source.GetAsync())! with { ApplicationIds = [otherApp] }, null);

        var confirm = await scanned.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null));
        Assert.Equal(FailureCodes.IdentitySourceNotEnabledForApp, confirm.Failure?.Code ?? confirm.Value?.Reason);
        Assert.Null((await scanned.GetStatusAsync()).Value!.ExchangeCode);
        var late = await pending.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(openId), null, null));
        Assert.Equal(FailureCodes.IdentitySourceNotEnabledForApp, late.Failure?.Code);
        Assert.Equal(TicketStatus.Pending, (await pending.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task Tickets_expire_when_the_clock_passes_their_deadline()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var pending = await OpenAsync(appId);
        var confirmed = await OpenAsync(appId);
        var scan = await confirmed.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)), null, null));
        var confirmedCode = (await confirmed.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Value!.ExchangeCode!;

        fixture.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(TicketStatus.Pending, (await pending.GetStatusAsync()).Value!.Status);

        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        // The grain's own timer fired on the fake clock; its one-way call may still be in flight.
        await Eventually(async () => (await pending.GetStatusAsync()).Value!.Status == TicketStatus.Expired);
        Assert.Equal(TicketStatus.Confirmed, (await confirmed.GetStatusAsync()).Value!.Status);

        fixture.Time.Advance(TimeSpan.FromSeconds(300));
        await Eventually(async () => (await confirmed.GetStatusAsync()).Value!.Status == TicketStatus.Expired);
        // The real code, with the right proof, no longer buys a token.
        var code = confirmedCode;
        var late = await confirmed.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, null));
        Assert.Equal(FailureCodes.ExchangeCodeInvalid, late.Failure?.Code);
        Assert.Equal(TicketStatus.Expired, (await confirmed.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task A_finished_ticket_is_erased_after_its_retention()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()), null, null));
        Assert.Equal(TicketStatus.Cancelled, (await ticket.CancelAsync(scan.Value!.ScanToken)).Value!.Status);

        fixture.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(TicketStatus.Cancelled, (await ticket.GetStatusAsync()).Value!.Status); // late pollers still hear the answer
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually(async () => (await ticket.GetStatusAsync()).Failure?.Code == FailureCodes.TicketNotFound);
    }

    [Fact]
    public async Task A_scanned_login_whose_source_is_disabled_or_deleted_meanwhile_is_rejected_for_good_with_that_reason()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        var disabledTicket = await OpenAsync(appId);
        var deletedTicket = await OpenAsync(appId);
        var disabledScan = await disabledTicket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)), null, null));
        var deletedScan = await deletedTicket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)), null, null));

        var settings = (await source.GetAsync())!;
        await source.SaveAsync(settings with { Enabled = false }, null);
        var disabled = (await disabledTicket.ConfirmAsync(new ConfirmRequest(disabledScan.Value!.ScanToken, null))).Value!;
        Assert.Equal((TicketStatus.Rejected, FailureCodes.IdentitySourceDisabled, null), (disabled.Status, disabled.Reason, disabled.ExchangeCode));

        await source.DeleteAsync(null, Actor.Platform);
        var deleted = (await deletedTicket.ConfirmAsync(new ConfirmRequest(deletedScan.Value!.ScanToken, null))).Value!;
        Assert.Equal((TicketStatus.Rejected, FailureCodes.IdentitySourceNotFound, null), (deleted.Status, deleted.Reason, deleted.ExchangeCode));

        // The source coming back does not revive the refused logins.
        await source.SaveAsync(settings, null);
        Assert.Equal(disabled, (await disabledTicket.ConfirmAsync(new ConfirmRequest(disabledScan.Value.ScanToken, null))).Value);
        Assert.Equal(TicketStatus.Rejected, (await deletedTicket.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task A_code_whose_sources_mini_program_was_replaced_is_refused_at_scan_and_rejects_a_scanned_login_at_confirm()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        var unscanned = await OpenAsync(appId);
        var scanned = await OpenAsync(appId);
        // Both codes open the platform's mini program, in which this phone scans one of them.
        var scan = await scanned.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)), null, null));
        Assert.True(scan.Succeeded, scan.Failure?.ToString());

        // The operator moves the source to its own mini program: the codes already shown still open the platform's.
        var own = "wx" + Guid.NewGuid().ToString("N")[..16];
        await Emulator.RegisterMiniProgramAsync(own, "own-secret");
        await source.SaveAsync((await source.GetAsync())! with { PrivateDeployment = true, MiniProgramAppId = own }, "own-secret");

        var refused = await unscanned.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)), null, null));
        Assert.Equal(FailureCodes.MiniProgramChanged, refused.Failure?.Code);
        Assert.Equal(TicketStatus.Pending, (await unscanned.GetStatusAsync()).Value!.Status);

        var rejected = (await scanned.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, null))).Value!;
        Assert.Equal((TicketStatus.Rejected, FailureCodes.MiniProgramChanged, null), (rejected.Status, rejected.Reason, rejected.ExchangeCode));
    }

    [Fact]
    public async Task An_empty_phone_code_is_no_phone_code_and_an_empty_idempotency_key_is_no_key()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await OpenAsync(appId);
        // The mini program sends an empty code when the user declines to share the phone number.
        var scan = await ticket.ScanAsync(new ScanRequest(await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: "13700000002")), null, null));
        var confirmed = (await ticket.ConfirmAsync(new ConfirmRequest(scan.Value!.ScanToken, ""))).Value!;
        Assert.Equal(TicketStatus.Confirmed, confirmed.Status);

        var grant = (await ticket.ExchangeAsync(new ExchangeRequest(confirmed.ExchangeCode!, BrowserSecret, null, ""))).Value!;
        Assert.Null(grant.User.Phone);
        // Without a key there is nothing to recognise a retry by: the code is spent.
        Assert.Equal(FailureCodes.AlreadyExchanged, (await ticket.ExchangeAsync(new ExchangeRequest(confirmed.ExchangeCode!, BrowserSecret, null, ""))).Failure?.Code);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition()) return;
            await Task.Delay(10);
        }
        Assert.Fail("The condition did not become true within 2 s.");
    }
}
