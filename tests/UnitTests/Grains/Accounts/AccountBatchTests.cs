using ScanLogin.Grains.Accounts;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The account rules as a pure function of a batch: each policy, and later requests seeing what earlier ones of the same batch did.</summary>
public sealed class AccountBatchTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddDays(20000);
    private static readonly StoredUser Existing = new("u1", "pool", "mei", "mei@example.com", "+8613800138000", "Mei", null, null, false, Now.AddDays(-1));
    private static readonly AccountSnapshot Empty = new([], new Dictionary<string, string>());

    private static WeChatLogin Login(string openId = "o1", string? phone = "+8613800138000", LoginMode mode = LoginMode.LoginAndRegister,
        AccountAssociation association = AccountAssociation.Off) => new("wechat", "wx1", openId, null, phone, "Mei", null, mode, association);

    private static (AccountDecision[] Decisions, AccountChanges Changes) Decide(AccountSnapshot snapshot, params AccountRequest[] requests)
    {
        var next = 0;
        return AccountBatch.Decide("pool", requests, snapshot, Now, () => $"new{++next}");
    }

    private static AccountSnapshot With(StoredUser user, params string[] subjects) => new([user], subjects.ToDictionary(s => s, _ => user.Id));

    [Fact]
    public void A_bound_identity_signs_in_whatever_the_policy_and_its_login_is_counted()
    {
        var login = Login(mode: LoginMode.LoginOnly, association: AccountAssociation.AskBinding);
        var (decisions, changes) = Decide(With(Existing, login.Subject), new AccountRequest.Login(login));
        Assert.Equal((AccountOutcome.SignedIn, "u1"), (decisions[0].Resolution.Outcome, decisions[0].Resolution.User!.Id));
        Assert.Equal(1, changes.Logins["u1"]);
        Assert.Empty(changes.NewUsers);
    }

    [Fact]
    public void Association_off_creates_a_user_with_the_identity_and_phone_but_never_takes_a_phone_another_user_has()
    {
        var (fresh, changes) = Decide(Empty, new AccountRequest.Login(Login()));
        Assert.Equal(AccountOutcome.Created, fresh[0].Resolution.Outcome);
        Assert.Equal("+8613800138000", changes.NewUsers.Single().Phone);
        Assert.Equal(("o1", "new1"), (changes.NewLinks.Single().Identity.OpenId, changes.NewLinks.Single().UserId));

        var (taken, takenChanges) = Decide(With(Existing), new AccountRequest.Login(Login()));
        Assert.Equal(AccountOutcome.Created, taken[0].Resolution.Outcome);
        Assert.Null(takenChanges.NewUsers.Single().Phone);
    }

    [Fact]
    public void Field_match_binds_to_the_user_with_the_same_phone()
    {
        var (decisions, changes) = Decide(With(Existing), new AccountRequest.Login(Login(association: AccountAssociation.FieldMatch)));
        Assert.Equal((AccountOutcome.Linked, "u1"), (decisions[0].Resolution.Outcome, decisions[0].Resolution.User!.Id));
        Assert.Equal("u1", changes.NewLinks.Single().UserId);
        Assert.Empty(changes.NewUsers);
    }

    [Fact]
    public void In_one_batch_the_same_identity_and_the_same_phone_make_one_user()
    {
        var fieldMatch = AccountAssociation.FieldMatch;
        var (decisions, changes) = Decide(Empty,
            new AccountRequest.Login(Login("o1", association: fieldMatch)),
            new AccountRequest.Login(Login("o1", association: fieldMatch)),
            new AccountRequest.Login(Login("o2", association: fieldMatch)),
            new AccountRequest.Login(Login("o3", phone: "+8613900000000", association: fieldMatch)));
        Assert.Equal([AccountOutcome.Created, AccountOutcome.SignedIn, AccountOutcome.Linked, AccountOutcome.Created],
            decisions.Select(d => d.Resolution.Outcome).ToArray());
        Assert.Equal(2, changes.NewUsers.Count);
        Assert.Equal(3, changes.NewLinks.Count);
        Assert.Equal(decisions[0].Resolution.User!.Id, decisions[2].Resolution.User!.Id);
    }

    [Fact]
    public void Ask_binding_asks_and_login_only_refuses_with_account_not_found()
    {
        var (ask, askChanges) = Decide(Empty, new AccountRequest.Login(Login(association: AccountAssociation.AskBinding)));
        Assert.Equal(AccountOutcome.BindingRequired, ask[0].Resolution.Outcome);
        Assert.True(askChanges.IsEmpty);

        var (only, onlyChanges) = Decide(Empty, new AccountRequest.Login(Login(mode: LoginMode.LoginOnly, association: AccountAssociation.FieldMatch)));
        Assert.Equal(FailureCodes.AccountNotFound, only[0].Resolution.Refusal!.Code);
        Assert.True(onlyChanges.IsEmpty);
    }

    [Fact]
    public void A_blocked_user_is_refused_when_signing_in_or_matched_by_phone()
    {
        var blocked = Existing with { Blocked = true };
        var login = Login(association: AccountAssociation.FieldMatch);
        Assert.Equal(FailureCodes.UserBlocked, Decide(With(blocked, login.Subject), new AccountRequest.Login(login)).Decisions[0].Resolution.Refusal!.Code);
        var (matched, changes) = Decide(With(blocked), new AccountRequest.Login(login));
        Assert.Equal(FailureCodes.UserBlocked, matched[0].Resolution.Refusal!.Code);
        Assert.True(changes.IsEmpty);
    }

    [Fact]
    public void Binding_links_to_the_chosen_account_unless_the_identity_is_already_someone_elses()
    {
        var login = Login(association: AccountAssociation.AskBinding);
        var (bound, changes) = Decide(With(Existing), new AccountRequest.Bind(login, "u1"));
        Assert.Equal(AccountOutcome.Linked, bound[0].Resolution.Outcome);
        Assert.Equal("u1", changes.NewLinks.Single().UserId);

        var other = Existing with { Id = "u2", Username = "other", Email = null, Phone = null };
        var snapshot = new AccountSnapshot([Existing, other], new Dictionary<string, string> { [login.Subject] = "u2" });
        Assert.Equal(FailureCodes.IdentityAlreadyBound, Decide(snapshot, new AccountRequest.Bind(login, "u1")).Decisions[0].Resolution.Refusal!.Code);
    }

    [Fact]
    public void Registering_and_creating_refuse_a_taken_username_email_or_phone()
    {
        var login = Login(phone: null, association: AccountAssociation.AskBinding);
        Assert.Equal(FailureCodes.UsernameInUse, Decide(With(Existing), new AccountRequest.Register(login, new NewAccount("mei", null, null, null, null, null)))
            .Decisions[0].Resolution.Refusal!.Code);
        Assert.Equal(FailureCodes.EmailInUse, Decide(With(Existing), new AccountRequest.Create(new NewAccount(null, "mei@example.com", null, null, null, null), Actor.Platform))
            .Decisions[0].Resolution.Refusal!.Code);
        Assert.Equal(FailureCodes.PhoneInUse, Decide(With(Existing), new AccountRequest.Register(Login(association: AccountAssociation.AskBinding),
            new NewAccount("new", null, null, null, null, null))).Decisions[0].Resolution.Refusal!.Code);

        var (created, changes) = Decide(With(Existing), new AccountRequest.Register(login, new NewAccount("lei", null, null, null, null, null, "hash")));
        Assert.Equal(AccountOutcome.Created, created[0].Resolution.Outcome);
        Assert.Equal(("lei", "hash"), (changes.NewUsers.Single().Username, changes.NewUsers.Single().PasswordHash));
        Assert.Single(changes.NewLinks);
    }

    [Fact]
    public void Audit_entries_mask_the_phone_and_never_hold_a_hash()
    {
        var (_, changes) = Decide(Empty, new AccountRequest.Create(new NewAccount("mei", null, "+8613800138000", null, null, null, "AQAAAAIAAYagAAAAE"), Actor.Platform));
        var entry = changes.Audit.Single();
        Assert.DoesNotContain("13800138000", entry.After);
        Assert.DoesNotContain("AQAAAAIAAYag", entry.After);
        Assert.Equal("+86138******00", System.Text.Json.Nodes.JsonNode.Parse(entry.After!)!["phone"]!.GetValue<string>());
    }

    [Fact]
    public void Subject_prefers_the_unionid()
    {
        Assert.Equal("openid:wx1:o1", Login().Subject);
        Assert.Equal("unionid:u1", (Login() with { UnionId = "u1" }).Subject);
    }

    // A source named apart from the provider, so an audit actor "wechat:shop" shows both halves.
    private static WeChatLogin ShopLogin(string openId = "o1", string? phone = "+8613800138000", LoginMode mode = LoginMode.LoginAndRegister,
        AccountAssociation association = AccountAssociation.Off) => Login(openId, phone, mode, association) with { IdentitySource = "shop" };

    [Fact]
    public void Keys_hold_every_subject_user_id_phone_username_and_email_the_batch_must_look_up()
    {
        var keys = AccountBatch.KeysOf([
            new AccountRequest.Login(Login("o1", phone: "+8613800000001")),
            new AccountRequest.Bind(Login("o2", phone: null), "u9"),
            // A registration takes the WeChat phone, never one the form sent.
            new AccountRequest.Register(Login("o3", phone: "+8613800000003"), new NewAccount("lei", "lei@example.com", "+8613899999999", null, null, null)),
            new AccountRequest.Create(new NewAccount("kai", "kai@example.com", "+8613800000004", null, null, null), Actor.Platform),
        ]);
        Assert.Equal(["openid:wx1:o1", "openid:wx1:o2", "openid:wx1:o3"], keys.Subjects.Order().ToArray());
        Assert.Equal(["u9"], keys.UserIds);
        Assert.Equal(["+8613800000001", "+8613800000003", "+8613800000004"], keys.Phones.Order().ToArray());
        Assert.Equal(["kai", "lei"], keys.Usernames.Order().ToArray());
        Assert.Equal(["kai@example.com", "lei@example.com"], keys.Emails.Order().ToArray());
    }

    [Fact]
    public void A_batch_is_empty_only_when_it_writes_nothing_at_all()
    {
        Assert.True(new AccountChanges("pool", Now).IsEmpty);
        var users = new AccountChanges("pool", Now);
        users.NewUsers.Add(Existing);
        var links = new AccountChanges("pool", Now);
        links.NewLinks.Add((IdentityLink.Of("pool", Login()), "u1"));
        var logins = new AccountChanges("pool", Now);
        logins.Logins["u1"] = 1;
        var audit = new AccountChanges("pool", Now);
        audit.Audit.Add(new AuditEntry(0, "pool", Now, "platform:platform", "create", "user", "u1", null, "{}"));
        Assert.All(new[] { users, links, logins, audit }, changes => Assert.False(changes.IsEmpty));
        // As a batch makes it: a bound identity signing in writes only its login.
        Assert.False(Decide(With(Existing, Login().Subject), new AccountRequest.Login(Login())).Changes.IsEmpty);
    }

    [Fact]
    public void A_user_created_by_a_wechat_login_is_stored_signed_in_once_and_audited_as_created_by_its_source()
    {
        var (decisions, changes) = Decide(Empty, new AccountRequest.Login(ShopLogin()));
        var user = changes.NewUsers.Single();
        Assert.Equal(("new1", Now, (DateTimeOffset?)Now, 1), (user.Id, user.CreatedAt, user.LastLoginAt, user.LoginCount));
        Assert.Equal(user, decisions[0].User);
        Assert.Empty(changes.Logins); // its first login is counted on the new row, not again as a login of an existing user
        var entry = changes.Audit.Single();
        Assert.Equal(("wechat:shop", "create", "user", "new1", Now), (entry.Actor, entry.Action, entry.ResourceType, entry.ResourceId, entry.At));
        Assert.Null(entry.Before);
        Assert.Equal("new1", System.Text.Json.Nodes.JsonNode.Parse(entry.After!)!["id"]!.GetValue<string>());
    }

    [Fact]
    public void Binding_by_phone_is_audited_as_the_source_binding_the_identity_to_the_matched_user()
    {
        var login = ShopLogin(association: AccountAssociation.FieldMatch);
        var (_, changes) = Decide(With(Existing), new AccountRequest.Login(login));
        var entry = changes.Audit.Single();
        Assert.Equal(("wechat:shop", "bind_identity_by_phone", "user", "u1"), (entry.Actor, entry.Action, entry.ResourceType, entry.ResourceId));
        AssertBindingAudit(entry, login);
        Assert.Equal(1, changes.Logins["u1"]);
    }

    [Fact]
    public void Binding_to_a_chosen_account_is_audited_and_signs_that_account_in()
    {
        var login = ShopLogin(association: AccountAssociation.AskBinding);
        var (decisions, changes) = Decide(With(Existing), new AccountRequest.Bind(login, "u1"));
        Assert.Equal((AccountOutcome.Linked, "u1"), (decisions[0].Resolution.Outcome, decisions[0].Resolution.User!.Id));
        var entry = changes.Audit.Single();
        Assert.Equal(("wechat:shop", "bind_identity", "user", "u1"), (entry.Actor, entry.Action, entry.ResourceType, entry.ResourceId));
        AssertBindingAudit(entry, login);
        Assert.Equal(1, changes.Logins["u1"]);
    }

    [Fact]
    public void Binding_an_identity_already_bound_to_that_same_account_just_signs_it_in()
    {
        // A retried bind (the first reply was lost) finds its own binding: a sign-in, not a refusal, and nothing bound twice.
        var login = ShopLogin(association: AccountAssociation.AskBinding);
        var (decisions, changes) = Decide(With(Existing, login.Subject), new AccountRequest.Bind(login, "u1"));
        Assert.Equal((AccountOutcome.Linked, "u1"), (decisions[0].Resolution.Outcome, decisions[0].Resolution.User!.Id));
        Assert.Empty(changes.NewLinks);
        Assert.Empty(changes.Audit);
        Assert.Equal(1, changes.Logins["u1"]);
    }

    [Fact]
    public void Binding_to_an_account_that_no_longer_exists_is_refused_with_account_not_found()
    {
        var (decisions, changes) = Decide(Empty, new AccountRequest.Bind(ShopLogin(association: AccountAssociation.AskBinding), "gone"));
        Assert.Equal(FailureCodes.AccountNotFound, decisions[0].Resolution.Refusal!.Code);
        Assert.True(changes.IsEmpty);
    }

    [Fact]
    public void Registering_keeps_the_nickname_and_avatar_the_form_gave_and_takes_wechats_only_where_it_gave_none()
    {
        var login = ShopLogin(phone: null, association: AccountAssociation.AskBinding) with { Nickname = "Mei on WeChat", AvatarUrl = "https://wx.example/mei.png" };
        var (_, own) = Decide(Empty, new AccountRequest.Register(login, new NewAccount("mei", null, null, "Mei", "https://shop.example/mei.png", null)));
        Assert.Equal(("Mei", "https://shop.example/mei.png"), (own.NewUsers.Single().Nickname, own.NewUsers.Single().AvatarUrl));
        var (_, taken) = Decide(Empty, new AccountRequest.Register(login, new NewAccount("mei", null, null, null, null, null)));
        Assert.Equal(("Mei on WeChat", "https://wx.example/mei.png"), (taken.NewUsers.Single().Nickname, taken.NewUsers.Single().AvatarUrl));
    }

    [Fact]
    public void A_registered_user_is_stored_signed_in_once_and_audited_as_created_by_its_source()
    {
        var (decisions, changes) = Decide(Empty,
            new AccountRequest.Register(ShopLogin(association: AccountAssociation.AskBinding), new NewAccount("mei", null, null, null, null, null, "hash")));
        Assert.Equal(AccountOutcome.Created, decisions[0].Resolution.Outcome);
        var user = changes.NewUsers.Single();
        Assert.Equal(((DateTimeOffset?)Now, 1, "+8613800138000"), (user.LastLoginAt, user.LoginCount, user.Phone));
        Assert.Empty(changes.Logins);
        var entry = changes.Audit.Single();
        Assert.Equal(("wechat:shop", "create", "user", "new1"), (entry.Actor, entry.Action, entry.ResourceType, entry.ResourceId));
        Assert.Null(entry.Before);
        Assert.NotNull(entry.After);
    }

    [Fact]
    public void A_login_only_source_refuses_to_register_with_registration_disabled()
    {
        var (decisions, changes) = Decide(Empty, new AccountRequest.Register(ShopLogin(mode: LoginMode.LoginOnly, association: AccountAssociation.AskBinding),
            new NewAccount("mei", null, null, null, null, null, "hash")));
        Assert.Equal(FailureCodes.RegistrationDisabled, decisions[0].Resolution.Refusal!.Code);
        Assert.True(changes.IsEmpty);
    }

    [Fact]
    public void An_operators_new_user_has_never_signed_in_and_is_audited_as_created_by_that_operator()
    {
        var (_, changes) = Decide(Empty, new AccountRequest.Create(new NewAccount("mei", null, null, null, null, null, "hash"), new Actor("pool-key", "k1")));
        var user = changes.NewUsers.Single();
        Assert.Equal(((DateTimeOffset?)null, 0), (user.LastLoginAt, user.LoginCount));
        Assert.Empty(changes.NewLinks);
        var entry = changes.Audit.Single();
        Assert.Equal(("pool-key:k1", "create", "user", "new1"), (entry.Actor, entry.Action, entry.ResourceType, entry.ResourceId));
        Assert.Null(entry.Before);
        Assert.NotNull(entry.After);
    }

    /// <summary>A binding's audit entry: nothing before, the bound identity (subject and source) after.</summary>
    private static void AssertBindingAudit(AuditEntry entry, WeChatLogin login)
    {
        Assert.Null(entry.Before);
        var after = System.Text.Json.Nodes.JsonNode.Parse(entry.After!)!;
        Assert.Equal((login.Subject, login.IdentitySource), (after["subject"]!.GetValue<string>(), after["identitySource"]!.GetValue<string>()));
    }
}

public sealed class PhoneMaskTests
{
    [Theory]
    [InlineData("+8613800138000", "+86138******00")]
    [InlineData("13800138000", "138******00")]
    [InlineData("+1555", "*****")]
    [InlineData(null, null)]
    public void Phones_keep_only_the_country_code_the_first_digits_and_the_last_two(string? phone, string? masked) =>
        Assert.Equal(masked, PhoneMask.Mask(phone));

    [Fact]
    public void Records_that_carry_a_phone_print_it_masked()
    {
        var login = new WeChatLogin("wechat", "wx1", "o1", null, "+8613800138000", "Mei", null, LoginMode.LoginAndRegister, AccountAssociation.Off);
        Assert.DoesNotContain("13800138000", login.ToString());
        Assert.DoesNotContain("13800138000", new UserProfile("u", "p", null, null, "+8613800138000", DateTimeOffset.UnixEpoch).ToString());
        Assert.DoesNotContain("13800138000", new NewAccount("u", null, "+8613800138000", null, null, "pw").ToString());
        Assert.DoesNotContain("secret-pw", new NewAccount("u", null, null, null, null, "secret-pw").ToString());
    }
}
