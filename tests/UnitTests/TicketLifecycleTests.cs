using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Every legal and illegal move of the ticket state machine.</summary>
public sealed class TicketLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ExchangeWindow = TimeSpan.FromSeconds(300);
    private static readonly Scanner Mei = new("openid-mei", null, "Mei", null, "code-hash-1", "token-hash-1");
    private static readonly Scanner Lei = new("openid-lei", null, "Lei", null, "code-hash-2", "token-hash-2");
    private static readonly UserProfile User = new("user-1", "pool", "Mei", null, null, T0);
    private static readonly IssuedToken Token = new("jti", T0, T0.AddHours(1), null, "app");

    private static TicketState Pending() => TicketLifecycle.Open("ticket-1",
        new TicketOpening("app", "wechat", new Requester("127.0.0.1", "ua", null), "secret-hash"), "pool", "App", "WeChat", Lifetime, T0);

    private static TicketState Scanned() => TicketLifecycle.Scan(Pending(), Mei, T0.AddSeconds(1)).Value!;

    private static TicketState Confirmed() =>
        TicketLifecycle.Confirm(Scanned(), Mei.ScanTokenHash, User, "ticket-1.x", ExchangeWindow, T0.AddSeconds(2)).Value!;

    private static TicketState Cancelled() => TicketLifecycle.Cancel(Scanned(), Mei.ScanTokenHash, T0.AddSeconds(2)).Value!;

    private static TicketState Rejected() => TicketLifecycle.Reject(Scanned(), Mei.ScanTokenHash, "account_creation_disabled", T0.AddSeconds(2)).Value!;

    private static TicketState Expired() => TicketLifecycle.Expire(Pending(), T0 + Lifetime).Value!;

    private static TicketState Consumed() => TicketLifecycle.Consume(Confirmed(), Token, T0.AddSeconds(3)).Value!;

    public static TheoryData<string> AllStates => new() { "pending", "scanned", "confirmed", "cancelled", "rejected", "expired", "consumed" };

    private static TicketState StateNamed(string name) => name switch
    {
        "pending" => Pending(),
        "scanned" => Scanned(),
        "confirmed" => Confirmed(),
        "cancelled" => Cancelled(),
        "rejected" => Rejected(),
        "expired" => Expired(),
        "consumed" => Consumed(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void Open_starts_pending_at_version_one_with_the_confirm_deadline()
    {
        var s = Pending();
        Assert.Equal(TicketStatus.Pending, s.Status);
        Assert.Equal(1, s.Version);
        Assert.Equal(T0 + Lifetime, s.Deadline);
        Assert.Null(s.ToSnapshot().ExchangeCode);
    }

    [Fact]
    public void Pending_to_scanned_records_the_scanner_and_bumps_the_version()
    {
        var s = Scanned();
        Assert.Equal(TicketStatus.Scanned, s.Status);
        Assert.Equal(2, s.Version);
        Assert.Equal("Mei", s.ToSnapshot().Scanner!.Nickname);
    }

    [Fact]
    public void Rescan_by_the_same_user_keeps_the_version_and_takes_the_new_token()
    {
        var again = Mei with { ScanCodeHash = "code-hash-3", ScanTokenHash = "token-hash-3" };
        var s = TicketLifecycle.Scan(Scanned(), again, T0.AddSeconds(5)).Value!;
        Assert.Equal(2, s.Version);
        Assert.Equal("token-hash-3", s.Scanner!.ScanTokenHash);
    }

    [Fact]
    public void Scan_by_another_user_is_refused()
    {
        var before = Scanned();
        var move = TicketLifecycle.Scan(before, Lei, T0.AddSeconds(5));
        Assert.Equal(FailureCodes.AlreadyScanned, move.Failure!.Code);
        Assert.Null(move.Value);
    }

    [Fact]
    public void Scanned_to_confirmed_issues_the_exchange_code_and_the_exchange_deadline()
    {
        var s = Confirmed();
        Assert.Equal(TicketStatus.Confirmed, s.Status);
        Assert.Equal(3, s.Version);
        Assert.Equal(T0.AddSeconds(2) + ExchangeWindow, s.Deadline);
        Assert.Equal("ticket-1.x", s.ToSnapshot().ExchangeCode);
        Assert.Equal(User, s.User);
    }

    [Fact]
    public void Scanned_to_cancelled_and_rejected_are_terminal_with_reason()
    {
        Assert.Equal(TicketStatus.Cancelled, Cancelled().Status);
        var rejected = Rejected();
        Assert.Equal(TicketStatus.Rejected, rejected.Status);
        Assert.Equal("account_creation_disabled", rejected.Reason);
        Assert.True(rejected.Status.IsTerminal());
        Assert.Null(rejected.Deadline);
        Assert.NotNull(rejected.FinishedAt);
    }

    [Fact]
    public void Confirmed_to_consumed_keeps_the_token_facts_and_hides_the_code()
    {
        var s = Consumed();
        Assert.Equal(TicketStatus.Consumed, s.Status);
        Assert.Equal(4, s.Version);
        Assert.Equal(Token, s.Token);
        Assert.Null(s.ToSnapshot().ExchangeCode);
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("scanned")]
    [InlineData("confirmed")]
    public void Live_states_expire_at_their_deadline_and_not_before(string name)
    {
        var s = StateNamed(name);
        var deadline = s.Deadline!.Value;
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Expire(s, deadline.AddTicks(-1)).Failure!.Code);
        var expired = TicketLifecycle.Expire(s, deadline).Value!;
        Assert.Equal(TicketStatus.Expired, expired.Status);
        Assert.Equal(s.Version + 1, expired.Version);
    }

    [Theory]
    [InlineData("cancelled")]
    [InlineData("rejected")]
    [InlineData("expired")]
    [InlineData("consumed")]
    public void Terminal_states_refuse_every_move(string name)
    {
        var s = StateNamed(name);
        var later = T0.AddDays(1);
        Assert.False(TicketLifecycle.Scan(s, Mei, later).Succeeded);
        Assert.False(TicketLifecycle.Confirm(s, Mei.ScanTokenHash, User, "x", ExchangeWindow, later).Succeeded);
        Assert.False(TicketLifecycle.Cancel(s, Mei.ScanTokenHash, later).Succeeded);
        Assert.False(TicketLifecycle.Reject(s, Mei.ScanTokenHash, "r", later).Succeeded);
        Assert.False(TicketLifecycle.Expire(s, later).Succeeded);
        Assert.False(TicketLifecycle.Consume(s, Token, later).Succeeded);
    }

    [Fact]
    public void Pending_refuses_confirm_cancel_reject_and_consume()
    {
        var s = Pending();
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Confirm(s, Mei.ScanTokenHash, User, "x", ExchangeWindow, T0).Failure!.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Cancel(s, Mei.ScanTokenHash, T0).Failure!.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Reject(s, Mei.ScanTokenHash, "r", T0).Failure!.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Consume(s, Token, T0).Failure!.Code);
    }

    [Fact]
    public void Scanned_refuses_consume_and_a_foreign_scan_token()
    {
        var s = Scanned();
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Consume(s, Token, T0).Failure!.Code);
        Assert.Equal(FailureCodes.ScanTokenInvalid, TicketLifecycle.Confirm(s, Lei.ScanTokenHash, User, "x", ExchangeWindow, T0).Failure!.Code);
        Assert.Equal(FailureCodes.ScanTokenInvalid, TicketLifecycle.Cancel(s, Lei.ScanTokenHash, T0).Failure!.Code);
        Assert.Equal(FailureCodes.ScanTokenInvalid, TicketLifecycle.Reject(s, Lei.ScanTokenHash, "r", T0).Failure!.Code);
    }

    [Fact]
    public void Confirmed_refuses_scan_confirm_cancel_and_reject()
    {
        var s = Confirmed();
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Scan(s, Mei, T0).Failure!.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Confirm(s, Mei.ScanTokenHash, User, "x", ExchangeWindow, T0).Failure!.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Cancel(s, Mei.ScanTokenHash, T0).Failure!.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Reject(s, Mei.ScanTokenHash, "r", T0).Failure!.Code);
    }

    [Fact]
    public void A_second_consume_says_already_exchanged()
    {
        Assert.Equal(FailureCodes.AlreadyExchanged, TicketLifecycle.Consume(Consumed(), Token, T0.AddSeconds(4)).Failure!.Code);
    }

    [Fact]
    public void Moves_past_the_deadline_are_refused_as_expired()
    {
        var late = T0 + Lifetime;
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Scan(Pending(), Mei, late).Failure!.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Confirm(Scanned(), Mei.ScanTokenHash, User, "x", ExchangeWindow, late).Failure!.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Cancel(Scanned(), Mei.ScanTokenHash, late).Failure!.Code);
        var confirmed = Confirmed();
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Consume(confirmed, Token, confirmed.Deadline!.Value).Failure!.Code);
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void A_refused_move_returns_no_state(string name)
    {
        var s = StateNamed(name);
        var move = TicketLifecycle.Scan(s, Lei, T0.AddDays(1));
        Assert.False(move.Succeeded);
        Assert.Null(move.Value);
    }
}
