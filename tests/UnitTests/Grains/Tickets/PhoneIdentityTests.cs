using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using ScanLogin.Grains.WeChat;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The phone's WeChat identity rules (<see cref="PhoneIdentity"/>), without a cluster; the grain tests cover the WeChat calls.</summary>
public sealed class PhoneIdentityTests
{
    private static readonly TicketState Ticket = new() { TicketId = "ticket-1", PoolId = "pool", AppId = "app", IdentitySource = "wechat" };

    private static IdentitySourceRuntime Runtime(bool enabled = true, string[]? apps = null, string appId = "wx-mp", string secret = "mp-secret") =>
        new(TenantRecords.IdentitySource("pool", "wechat", apps ?? ["app"]) with { Enabled = enabled, MiniProgramAppId = appId }, appId, secret);

    [Fact]
    public void The_scan_token_is_the_same_for_a_retried_login_code_and_differs_per_code_and_per_ticket()
    {
        var token = PhoneIdentity.ScanTokenFor("ticket-1", "code-1");
        Assert.Equal(token, PhoneIdentity.ScanTokenFor("ticket-1", "code-1"));
        Assert.NotEqual(token, PhoneIdentity.ScanTokenFor("ticket-1", "code-2"));
        Assert.NotEqual(token, PhoneIdentity.ScanTokenFor("ticket-2", "code-1"));
        Assert.DoesNotContain("code-1", token);
    }

    [Fact]
    public void The_scanner_keeps_only_hashes_of_the_code_and_token_and_cuts_the_declared_profile_to_size()
    {
        var request = new ScanRequest("code-1", new string('n', 100), "https://a.example/" + new string('a', 2000));
        var scanner = PhoneIdentity.ScannerFor(new WeChatSession("openid-1", "union-1", "session-key"), request, "token-1");
        Assert.Equal(("openid-1", "union-1"), (scanner.OpenId, scanner.UnionId));
        Assert.Equal(64, scanner.Nickname!.Length);
        Assert.Equal(1024, scanner.AvatarUrl!.Length);
        Assert.Equal(PhoneIdentity.HashScanCode("code-1"), scanner.ScanCodeHash);
        Assert.Equal(PhoneIdentity.HashScanToken("token-1"), scanner.ScanTokenHash);
        Assert.NotEqual("code-1", scanner.ScanCodeHash);
        Assert.NotEqual("token-1", scanner.ScanTokenHash);
        // The code and the token are hashed for different purposes: one never stands for the other.
        Assert.NotEqual(PhoneIdentity.HashScanCode("x"), PhoneIdentity.HashScanToken("x"));

        var bare = PhoneIdentity.ScannerFor(new WeChatSession("openid-1", null, "k"), new ScanRequest("code-1", null, "short"), "token-1");
        Assert.Null(bare.Nickname);
        Assert.Equal("short", bare.AvatarUrl);
    }

    [Fact]
    public void A_usable_source_with_a_mini_program_passes() => Assert.Null(PhoneIdentity.CheckRuntime(Runtime(), Ticket));

    [Fact]
    public void A_missing_disabled_or_foreign_source_is_refused_by_the_usability_rule()
    {
        Assert.Equal(FailureCodes.IdentitySourceNotFound, PhoneIdentity.CheckRuntime(null, Ticket)?.Code);
        Assert.Equal(FailureCodes.IdentitySourceDisabled, PhoneIdentity.CheckRuntime(Runtime(enabled: false), Ticket)?.Code);
        Assert.Equal(FailureCodes.IdentitySourceNotEnabledForApp, PhoneIdentity.CheckRuntime(Runtime(apps: ["other"]), Ticket)?.Code);
    }

    [Fact]
    public void A_phone_action_under_another_mini_program_than_the_code_opens_is_refused()
    {
        Assert.Null(PhoneIdentity.CheckRuntime(Runtime(appId: "wx-mp"), Ticket with { Terms = new([], null, false, "wx-mp") }));
        Assert.Equal(FailureCodes.MiniProgramChanged,
            PhoneIdentity.CheckRuntime(Runtime(appId: "wx-new"), Ticket with { Terms = new([], null, false, "wx-mp") })?.Code);
        // A ticket stored before its terms named the mini program is not refused for it.
        Assert.Null(PhoneIdentity.CheckRuntime(Runtime(appId: "wx-new"), Ticket with { Terms = new([], null, false) }));
    }

    [Theory]
    [InlineData("", "mp-secret")]
    [InlineData("wx-mp", "")]
    public void A_source_without_a_mini_program_app_id_or_secret_is_misconfigured(string appId, string secret) =>
        Assert.Equal(FailureCodes.WeChatMisconfigured, PhoneIdentity.CheckRuntime(Runtime(appId: appId, secret: secret), Ticket)?.Code);
}
