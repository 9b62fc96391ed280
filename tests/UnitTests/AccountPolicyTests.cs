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
    public void Subject_prefers_the_unionid()
    {
        Assert.Equal("openid:wx1:openid", Login().Subject);
        Assert.Equal("unionid:u1", (Login() with { UnionId = "u1" }).Subject);
    }
}
