using ScanLogin.Grains.Accounts;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

public sealed class AccountPolicyTests
{
    private static readonly UserProfile Existing = new("u1", "pool", "Mei", null, "+8613800138000", DateTimeOffset.UnixEpoch);

    private static WeChatLogin Login(LoginMode mode = LoginMode.LoginAndRegister, AccountAssociation association = AccountAssociation.Off) =>
        new("wechat", "wx1", "openid", null, "+8613800138000", "Mei", null, mode, association);

    [Fact]
    public void A_linked_identity_signs_in_whatever_the_policy()
    {
        Assert.IsType<AccountDecision.SignIn>(AccountPolicy.Decide(Login(LoginMode.LoginOnly), Existing, null));
    }

    [Fact]
    public void Association_off_creates_a_user_even_when_the_phone_matches()
    {
        Assert.IsType<AccountDecision.Create>(AccountPolicy.Decide(Login(), null, Existing));
    }

    [Fact]
    public void Field_match_links_to_the_user_with_the_same_phone_else_creates()
    {
        Assert.Equal(Existing, Assert.IsType<AccountDecision.Link>(AccountPolicy.Decide(Login(association: AccountAssociation.FieldMatch), null, Existing)).User);
        Assert.IsType<AccountDecision.Create>(AccountPolicy.Decide(Login(association: AccountAssociation.FieldMatch), null, null));
    }

    [Fact]
    public void Login_only_refuses_a_new_account()
    {
        var refused = Assert.IsType<AccountDecision.Refuse>(AccountPolicy.Decide(Login(LoginMode.LoginOnly), null, null));
        Assert.Equal(FailureCodes.AccountCreationDisabled, refused.Failure.Code);
    }

    [Fact]
    public void Login_only_still_links_a_new_identity_to_the_user_with_the_same_phone_under_field_match()
    {
        var decision = AccountPolicy.Decide(Login(LoginMode.LoginOnly, AccountAssociation.FieldMatch), null, Existing);
        Assert.Equal(Existing, Assert.IsType<AccountDecision.Link>(decision).User);
    }

    [Fact]
    public void Login_only_refuses_when_association_is_off_even_if_the_phone_matches()
    {
        var refused = Assert.IsType<AccountDecision.Refuse>(AccountPolicy.Decide(Login(LoginMode.LoginOnly), null, Existing));
        Assert.Equal(FailureCodes.AccountCreationDisabled, refused.Failure.Code);
    }

    [Theory]
    [InlineData(LoginMode.LoginAndRegister, true)]
    [InlineData(LoginMode.LoginAndRegister, false)]
    [InlineData(LoginMode.LoginOnly, true)]
    [InlineData(LoginMode.LoginOnly, false)]
    public void Ask_binding_never_creates_or_links_a_user_for_a_new_identity(LoginMode mode, bool phoneMatches)
    {
        // Whatever the binding flow offers, a new WeChat identity gets no account of its own and is not bound silently.
        var decision = AccountPolicy.Decide(Login(mode, AccountAssociation.AskBinding), null, phoneMatches ? Existing : null);
        Assert.IsNotType<AccountDecision.Create>(decision);
        Assert.IsNotType<AccountDecision.Link>(decision);
        Assert.IsNotType<AccountDecision.SignIn>(decision);
    }

    [Fact]
    public void Ask_binding_still_signs_in_an_identity_that_is_already_bound()
    {
        Assert.Equal(Existing, Assert.IsType<AccountDecision.SignIn>(AccountPolicy.Decide(Login(association: AccountAssociation.AskBinding), Existing, null)).User);
    }

    [Theory]
    [InlineData(AccountAssociation.FieldMatch, "+8613800138000", true)]
    [InlineData(AccountAssociation.FieldMatch, "", false)]
    [InlineData(AccountAssociation.FieldMatch, null, false)]
    [InlineData(AccountAssociation.Off, "+8613800138000", false)]
    [InlineData(AccountAssociation.AskBinding, "+8613800138000", false)]
    public void The_store_is_asked_for_a_phone_match_only_under_field_match_with_a_phone(AccountAssociation association, string? phone, bool asked)
    {
        Assert.Equal(asked, AccountPolicy.NeedsPhoneMatch(Login(association: association) with { Phone = phone }));
    }

    [Fact]
    public void Subject_prefers_the_unionid()
    {
        Assert.Equal("openid:wx1:openid", Login().Subject);
        Assert.Equal("unionid:u1", (Login() with { UnionId = "u1" }).Subject);
        Assert.Equal("openid:wx1:openid", (Login() with { UnionId = "" }).Subject);
    }
}
