using ScanLogin.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using ScanLogin.FunctionalTests.Admin;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Every account policy of an identity source, end to end through HTTP, the emulator and PostgreSQL.</summary>
[Collection(SystemCollection.Name)]
public sealed class AccountPolicyTests(SystemFixture system)
{
    private AdminClient Admin => new(system.Operator(system.PlatformKey));

    private async Task<string> CreateUserAsync(Tenant tenant, object body)
    {
        using var admin = Admin;
        return (await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users", body, HttpStatusCode.Created))["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Login_and_register_with_association_off_creates_a_user_with_the_identity_and_the_shared_phone()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000001");
        var user = await Logins.LoginAsync(system, tenant, openId, sharePhone: true);
        Assert.Equal("+8613700000001", user.Phone);
        Assert.Equal(1, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1 AND user_id = $2 AND phone = '+8613700000001'",
            tenant.PoolId, user.Id));
        Assert.Equal(1, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1 AND user_id = $2 AND openid = $3",
            tenant.PoolId, user.Id, openId));
        // The next login of the same person is the same user.
        Assert.Equal(user.Id, (await Logins.LoginAsync(system, tenant, openId)).Id);
    }

    [Fact]
    public async Task Field_match_binds_a_new_identity_to_the_user_with_the_same_verified_phone()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.FieldMatch);
        var existing = await CreateUserAsync(tenant, new { username = "mei", phone = "+8613700000002" });
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000002");

        Assert.Equal(existing, (await Logins.LoginAsync(system, tenant, openId, sharePhone: true)).Id);
        // Without sharing the phone there is nothing to match: a new user.
        Assert.NotEqual(existing, (await Logins.LoginAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: "13700000002"))).Id);
        Assert.Equal(1, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1 AND phone = '+8613700000002'", tenant.PoolId));
    }

    [Fact]
    public async Task Login_only_signs_in_known_people_and_rejects_others_with_account_not_found()
    {
        var tenant = await system.CreateTenantAsync(LoginMode.LoginOnly, AccountAssociation.FieldMatch);
        var (created, confirm) = await Logins.ScanAndConfirmAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: "13700000003"), sharePhone: true);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal(("rejected", "account_not_found"), (status.Status, status.Reason));
        Assert.Equal(0, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1", tenant.PoolId));

        // Field match still finds an operator-made account.
        var existing = await CreateUserAsync(tenant, new { phone = "+8613700000004" });
        Assert.Equal(existing, (await Logins.LoginAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: "13700000004"), sharePhone: true)).Id);
    }

    [Fact]
    public async Task A_blocked_user_is_rejected_with_user_blocked_and_a_deleted_users_identity_logs_in_as_new()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: null);
        var first = await Logins.LoginAsync(system, tenant, openId);
        using var admin = Admin;
        await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users/{first.Id}/block");

        var (created, _) = await Logins.ScanAndConfirmAsync(system, tenant, openId);
        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal(("rejected", "user_blocked"), (status.Status, status.Reason));

        await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users/{first.Id}/unblock");
        Assert.Equal(first.Id, (await Logins.LoginAsync(system, tenant, openId)).Id);

        await admin.OkAsync(HttpMethod.Delete, $"/admin/v1/pools/{tenant.PoolId}/users/{first.Id}", expected: HttpStatusCode.NoContent);
        var again = await Logins.LoginAsync(system, tenant, openId);
        Assert.NotEqual(first.Id, again.Id);
        Assert.Equal(1, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1", tenant.PoolId));
    }

    [Fact]
    public async Task Ask_binding_waits_in_binding_required_then_the_pc_signs_in_to_bind_and_exchanges_as_usual()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        var existing = await CreateUserAsync(tenant, new { username = "Lei", email = "lei@example.com", password = "correct horse 1" });
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000005");
        var (created, confirm) = await Logins.ScanAndConfirmAsync(system, tenant, openId, sharePhone: true);
        Assert.Equal("binding_required", (await confirm.Content.ReadFromJsonAsync<TicketView>())!.Status);

        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal(("binding_required", 3, null), (status.Status, status.Version, status.ExchangeCode));
        var offer = (await (await Logins.OfferAsync(system.A, created)).Content.ReadFromJsonAsync<BindingOfferView>())!;
        Assert.Equal((true, true, true, 5), (offer.SignIn, offer.Register, offer.PhoneShared, offer.AttemptsLeft));

        // Only the page that holds the ticket may bind.
        await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, created, "lei", "correct horse 1", secret: "not-the-secret"),
            HttpStatusCode.Forbidden, "exchange_forbidden");
        await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, created, "lei", "wrong password"), HttpStatusCode.Unauthorized, "invalid_credentials");
        await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, created, "nobody", "wrong password"), HttpStatusCode.Unauthorized, "invalid_credentials");

        var bound = await Logins.BindExistingAsync(system.B, created, "LEI@example.com", "correct horse 1");
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        var boundView = (await bound.Content.ReadFromJsonAsync<TicketView>())!;
        Assert.Equal("confirmed", boundView.Status);
        // Front end A answers reads from its pushed state: it hears the move B served before the page exchanges there
        // (a plain read on A right after B's answer may still show binding_required for the push's few milliseconds).
        Assert.Equal("confirmed", (await Api.StatusAfterAsync(system.A, created.TicketId, boundView.Version - 1)).Status);
        var grant = await Logins.ExchangeFullAsync(system, created);
        Assert.Equal(existing, grant.User.Id);
        // The site verifies the ID token as for any login; it says a password was proven as well as the WeChat scan.
        var site = new RelyingParty(system.B, tenant.PoolId);
        var verified = await site.ValidateIdTokenAsync(grant.IdToken, await site.JwksAsync(), tenant.AppId);
        Assert.True(verified.IsValid, verified.Exception?.Message);
        Assert.Equal(existing, verified.Claims["sub"]);
        Assert.Contains("pwd", ((System.Collections.IEnumerable)verified.Claims["amr"]).Cast<object>().Select(o => o.ToString()));

        // The identity is now the account's: the next login signs straight in.
        Assert.Equal(existing, (await Logins.LoginAsync(system, tenant, openId)).Id);
        Assert.Equal(1, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1 AND user_id = $2 AND openid = $3",
            tenant.PoolId, existing, openId));
    }

    [Fact]
    public async Task Ask_binding_can_create_a_new_account_with_the_shared_phone_where_registration_is_allowed()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000006");
        var (created, _) = await Logins.ScanAndConfirmAsync(system, tenant, openId, sharePhone: true);

        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{created.TicketId}/binding/new")
            { Content = JsonContent.Create(new { username = "newbie", password = "long enough 1", bindingCode = Logins.BindingCodeOf(created.TicketId) }) };
        var registered = await system.B.SendAsync(Logins.WithApp(request, tenant)); // the application's backend may do it too
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var user = await Logins.ExchangeAsync(system, created);
        Assert.Equal("+8613700000006", user.Phone);

        // The new account signs in with its password on the next ask-binding ticket of another WeChat user.
        var (second, _) = await Logins.ScanAndConfirmAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: null));
        Assert.Equal(HttpStatusCode.OK, (await Logins.BindExistingAsync(system.A, second, "newbie", "long enough 1")).StatusCode);
        Assert.Equal(user.Id, (await Logins.ExchangeAsync(system, second)).Id);
    }

    [Fact]
    public async Task Ask_binding_with_login_only_offers_sign_in_but_refuses_registration()
    {
        var tenant = await system.CreateTenantAsync(LoginMode.LoginOnly, AccountAssociation.AskBinding);
        var (created, _) = await Logins.ScanAndConfirmAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: null));
        var offer = (await (await Logins.OfferAsync(system.A, created)).Content.ReadFromJsonAsync<BindingOfferView>())!;
        Assert.False(offer.Register);
        await Api.ProblemAsync(await Logins.BindNewAsync(system.A, created, new { username = "sneaky", bindingCode = Logins.BindingCodeOf(created.TicketId) }),
            HttpStatusCode.Forbidden, "registration_disabled");
        Assert.Equal(0, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1", tenant.PoolId));
    }

    [Fact]
    public async Task Wrong_passwords_are_limited_per_ticket_and_per_account_and_identity_so_a_stranger_cannot_lock_out_the_owner()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        await CreateUserAsync(tenant, new { username = "target", password = "the right one" });
        await CreateUserAsync(tenant, new { username = "other", password = "the right one" });

        // Per ticket: five wrong passwords, spread over accounts, end the ticket.
        var (ticket, _) = await Logins.ScanAndConfirmAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: null));
        for (var i = 0; i < 4; i++)
            await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, ticket, i % 2 == 0 ? "nobody" : "other", "guess " + i), HttpStatusCode.Unauthorized, "invalid_credentials");
        await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, ticket, "other", "guess 5"), HttpStatusCode.TooManyRequests, "too_many_attempts");
        var status = await Api.StatusAsync(system.A, ticket.TicketId);
        Assert.Equal(("rejected", "too_many_attempts"), (status.Status, status.Reason));
        await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, ticket, "other", "the right one"), HttpStatusCode.Conflict, "invalid_transition");

        // A stranger with one WeChat account, ticket after ticket: five wrong passwords lock out that WeChat account only,
        // and the lock answers exactly as a wrong password (or an unknown account) does.
        var stranger = await system.Emulator.CreateUserAsync(phone: null);
        for (var i = 0; i < 5; i++)
        {
            var (t, _) = await Logins.ScanAndConfirmAsync(system, tenant, stranger);
            await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, t, "target", "wrong " + i), HttpStatusCode.Unauthorized, "invalid_credentials");
        }
        var (locked, _) = await Logins.ScanAndConfirmAsync(system, tenant, stranger);
        var lockedAnswer = await Logins.BindExistingAsync(system.A, locked, "target", "the right one");
        var unknownAnswer = await Logins.BindExistingAsync(system.A, locked, "nobody-at-all", "the right one");
        Assert.Equal(HttpStatusCode.Unauthorized, lockedAnswer.StatusCode);
        Assert.Equal(await ProblemBodyAsync(unknownAnswer), await ProblemBodyAsync(lockedAnswer));
        Assert.Equal("binding_required", (await Api.StatusAsync(system.A, locked.TicketId)).Status);

        // The owner, with their own WeChat, is not locked out.
        var (owners, _) = await Logins.ScanAndConfirmAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: null));
        Assert.Equal(HttpStatusCode.OK, (await Logins.BindExistingAsync(system.B, owners, "target", "the right one")).StatusCode);
    }

    /// <summary>A problem answer without what differs between any two requests (the trace id).</summary>
    private static async Task<string> ProblemBodyAsync(HttpResponseMessage response)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        node.Remove("traceId");
        node.Remove("instance");
        return node.ToJsonString();
    }

    [Fact]
    public async Task Ask_binding_needs_the_code_the_phone_was_shown_so_whoever_scanned_first_cannot_take_over_the_account()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        var victim = await CreateUserAsync(tenant, new { username = "victim", password = "victim's password" });
        // The attacker scans the victim's displayed code first and approves on their own phone.
        var attacker = await system.Emulator.CreateUserAsync(phone: null);
        var (created, confirm) = await Logins.ScanAndConfirmAsync(system, tenant, attacker);
        var answer = System.Text.Json.JsonDocument.Parse(await confirm.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("binding_required", answer.GetProperty("status").GetString());
        var code = answer.GetProperty("bindingCode").GetString()!;
        Assert.Matches("^[0-9]{6}$", code);
        // The page (and anyone with the ticket id) never reads the code: only the phone that approved has it.
        Assert.DoesNotContain("bindingCode", await system.A.GetStringAsync($"/api/tickets/{created.TicketId}"));
        Assert.DoesNotContain(code, await (await Logins.OfferAsync(system.A, created)).Content.ReadAsStringAsync());

        // The victim types the account password but cannot know the attacker's code: nothing is bound.
        var noCode = new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{created.TicketId}/binding/existing")
            { Content = JsonContent.Create(new { account = "victim", password = "victim's password" }) };
        noCode.Headers.Add("X-Browser-Secret", created.BrowserSecret);
        await Api.ProblemAsync(await system.A.SendAsync(noCode), HttpStatusCode.BadRequest, "validation_failed");
        var guess = code == "000000" ? "000001" : "000000";
        await Api.ProblemAsync(await Logins.BindExistingAsync(system.A, created, "victim", "victim's password", bindingCode: guess),
            HttpStatusCode.Unauthorized, "binding_code_invalid");
        await Api.ProblemAsync(await Logins.BindNewAsync(system.A, created, new { bindingCode = guess }), HttpStatusCode.Unauthorized, "binding_code_invalid");
        Assert.Equal(0, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1 AND openid = $2", tenant.PoolId, attacker));
        var offer = (await (await Logins.OfferAsync(system.A, created)).Content.ReadFromJsonAsync<BindingOfferView>())!;
        Assert.Equal(3, offer.AttemptsLeft); // each wrong code counted as a failed attempt

        // With the code from the phone that approved, binding goes through.
        Assert.Equal(HttpStatusCode.OK, (await Logins.BindExistingAsync(system.A, created, "victim", "victim's password", bindingCode: code)).StatusCode);
        Assert.Equal(victim, (await Logins.ExchangeAsync(system, created)).Id);
    }

    [Fact]
    public async Task A_ticket_waiting_for_binding_expires_at_its_own_deadline()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        var (created, _) = await Logins.ScanAndConfirmAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: null));
        var waiting = system.B.GetFromJsonAsync<TicketView>($"/api/tickets/{created.TicketId}/wait?version=3&timeout=30");
        await Task.Delay(50);

        system.Time.Advance(TimeSpan.FromSeconds(121)); // past the confirm window, not past the binding window
        Assert.Equal("binding_required", (await Api.StatusAsync(system.A, created.TicketId)).Status);
        system.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("expired", (await waiting.WithinAsync(TimeSpan.FromSeconds(10), "the long-poll hearing the binding deadline",
            () => Api.StatusNowAsync(system.A, created.TicketId)))!.Status);
        // Too late, not "already used": the PC is told to start again.
        await Api.ProblemAsync(await Logins.BindNewAsync(system.A, created, new { bindingCode = Logins.BindingCodeOf(created.TicketId) }), HttpStatusCode.Gone,
            "ticket_expired");
    }
}
