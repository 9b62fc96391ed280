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
