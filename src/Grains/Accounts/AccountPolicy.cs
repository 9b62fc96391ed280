namespace ScanLogin.Grains.Accounts;

/// <summary>
/// The account rules, in one place: an existing identity signs in; otherwise the identity source's login mode
/// and account association decide between creating a user, linking to the user with the same phone, or refusing.
/// </summary>
public static class AccountPolicy
{
    public static AccountDecision Decide(WeChatLogin login, UserProfile? linkedUser, UserProfile? userWithSamePhone)
    {
        if (linkedUser is not null) return new AccountDecision.SignIn(linkedUser);

        var match = login.Association == AccountAssociation.FieldMatch ? userWithSamePhone : null;
        if (match is not null) return new AccountDecision.Link(match);

        if (login.LoginMode == LoginMode.LoginOnly)
            return new AccountDecision.Refuse(new Failure(FailureCodes.AccountCreationDisabled,
                "This identity source only signs in existing accounts, and no account matches this WeChat user."));

        if (login.Association == AccountAssociation.AskBinding)
            return new AccountDecision.Refuse(new Failure(FailureCodes.BindingRequired,
                "This identity source asks new WeChat users to bind an existing account, which this server does not offer yet."));

        return new AccountDecision.Create();
    }

    /// <summary>Whether the store must be asked for a user with the login's phone number.</summary>
    public static bool NeedsPhoneMatch(WeChatLogin login) =>
        login.Association == AccountAssociation.FieldMatch && login.Phone is { Length: > 0 };
}

public abstract record AccountDecision
{
    public sealed record SignIn(UserProfile User) : AccountDecision;
    public sealed record Link(UserProfile User) : AccountDecision;
    public sealed record Create : AccountDecision;
    public sealed record Refuse(Failure Failure) : AccountDecision;
}
