using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Sessions;
using Xunit;

namespace ScanLogin.UnitTests.Sessions;

/// <summary>The pure rules of pool sessions (prompt, max_age) and refresh tokens (rotation, reuse, client binding, scope).</summary>
public sealed class SessionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static LoginSession Session(TimeSpan age, TimeSpan? left = null) =>
        new() { PoolId = "p", UserId = "u", AuthTime = Now - age, ExpiresAt = Now + (left ?? TimeSpan.FromHours(1)), Version = 1 };

    [Fact]
    public void A_live_session_of_a_user_who_may_sign_in_signs_in_without_a_scan()
    {
        Assert.Equal(SessionOutcome.UseSession, SessionRules.Decide(false, false, null, Session(TimeSpan.FromMinutes(5)), true, Now));
        Assert.Equal(SessionOutcome.UseSession, SessionRules.Decide(true, false, null, Session(TimeSpan.FromMinutes(5)), true, Now));
    }

    [Fact]
    public void Prompt_login_always_scans_even_with_prompt_none_semantics_aside()
    {
        Assert.Equal(SessionOutcome.Scan, SessionRules.Decide(false, true, null, Session(TimeSpan.Zero), true, Now));
        Assert.Equal(SessionOutcome.Scan, SessionRules.Decide(false, true, null, null, true, Now));
    }

    [Fact]
    public void Without_a_usable_session_prompt_none_answers_login_required_and_anything_else_scans()
    {
        foreach (var (session, mayUse) in new (LoginSession?, bool)[]
                 {
                     (null, true),
                     (Session(TimeSpan.FromMinutes(5), left: TimeSpan.Zero), true), // expires this instant
                     (Session(TimeSpan.FromMinutes(5)), false), // blocked or deleted user
                 })
        {
            Assert.Equal(SessionOutcome.LoginRequired, SessionRules.Decide(true, false, null, session, mayUse, Now));
            Assert.Equal(SessionOutcome.Scan, SessionRules.Decide(false, false, null, session, mayUse, Now));
        }
    }

    [Fact]
    public void Max_age_admits_a_scan_exactly_that_old_and_refuses_one_a_second_older()
    {
        Assert.Equal(SessionOutcome.UseSession, SessionRules.Decide(false, false, 300, Session(TimeSpan.FromSeconds(300)), true, Now));
        Assert.Equal(SessionOutcome.Scan, SessionRules.Decide(false, false, 300, Session(TimeSpan.FromSeconds(301)), true, Now));
        Assert.Equal(SessionOutcome.LoginRequired, SessionRules.Decide(true, false, 300, Session(TimeSpan.FromSeconds(301)), true, Now));
        Assert.Equal(SessionOutcome.Scan, SessionRules.Decide(false, false, 0, Session(TimeSpan.FromSeconds(1)), true, Now));
    }

    private static RefreshFamily Family(bool clientAuthenticated = false) => new()
    {
        PoolId = "p", ClientId = "app-a", UserId = "u", Scopes = ["openid", "offline_access", "profile"], CurrentHash = "h1",
        ExpiresAt = Now + TimeSpan.FromDays(1), Version = 1, ClientAuthenticated = clientAuthenticated,
    };

    [Fact]
    public void The_current_token_from_its_client_rotates_and_then_counts_as_spent()
    {
        var family = Family();
        Assert.Equal(SessionRules.RefreshVerdict.Rotate, SessionRules.Judge(family, "h1", "app-a", false, Now));
        SessionRules.Rotate(family, "h2", keep: 64);
        Assert.Equal("h2", family.CurrentHash);
        Assert.Equal(SessionRules.RefreshVerdict.Reused, SessionRules.Judge(family, "h1", "app-a", false, Now));
        Assert.Equal(SessionRules.RefreshVerdict.Rotate, SessionRules.Judge(family, "h2", "app-a", false, Now));
    }

    [Fact]
    public void A_token_the_family_never_had_is_invalid_not_a_reuse()
    {
        var family = Family();
        Assert.Equal(SessionRules.RefreshVerdict.Invalid, SessionRules.Judge(family, "other", "app-a", false, Now));
        Assert.Equal(SessionRules.RefreshVerdict.Invalid, SessionRules.Judge(null, "h1", "app-a", false, Now));
    }

    [Fact]
    public void A_family_past_its_lifetime_refreshes_nothing()
    {
        var family = Family();
        Assert.Equal(SessionRules.RefreshVerdict.Invalid, SessionRules.Judge(family, "h1", "app-a", false, family.ExpiresAt));
        Assert.Equal(SessionRules.RefreshVerdict.Rotate, SessionRules.Judge(family, "h1", "app-a", false, family.ExpiresAt.AddTicks(-1)));
    }

    [Fact]
    public void The_token_is_bound_to_its_client_and_to_the_secret_its_client_proved()
    {
        Assert.Equal(SessionRules.RefreshVerdict.OtherClient, SessionRules.Judge(Family(), "h1", "app-b", true, Now));
        Assert.Equal(SessionRules.RefreshVerdict.Unauthenticated, SessionRules.Judge(Family(clientAuthenticated: true), "h1", "app-a", false, Now));
        Assert.Equal(SessionRules.RefreshVerdict.Rotate, SessionRules.Judge(Family(clientAuthenticated: true), "h1", "app-a", true, Now));
    }

    [Fact]
    public void Spent_tokens_are_remembered_up_to_the_limit_oldest_first_forgotten()
    {
        var family = Family();
        for (var i = 2; i <= 5; i++) SessionRules.Rotate(family, $"h{i}", keep: 3);
        Assert.Equal(["h2", "h3", "h4"], family.SpentHashes);
        Assert.Equal(SessionRules.RefreshVerdict.Invalid, SessionRules.Judge(family, "h1", "app-a", false, Now));
        Assert.Equal(SessionRules.RefreshVerdict.Reused, SessionRules.Judge(family, "h2", "app-a", false, Now));
    }

    [Fact]
    public void A_refresh_may_narrow_the_scopes_but_never_widen_them()
    {
        string[] granted = ["openid", "offline_access", "profile"];
        Assert.Equal(granted, SessionRules.Narrow(granted, null)!);
        Assert.Equal(["openid", "offline_access"], SessionRules.Narrow(granted, ["openid", "offline_access"])!);
        Assert.Null(SessionRules.Narrow(granted, ["openid", "phone"]));
    }
}
