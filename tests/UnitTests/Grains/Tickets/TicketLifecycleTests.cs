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
    [InlineData("consumed")]
    public void Terminal_states_refuse_every_move(string name)
    {
        var s = StateNamed(name);
        var later = T0.AddDays(1);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Scan(s, Mei, later).Failure?.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Confirm(s, Mei.ScanTokenHash, User, "x", ExchangeWindow, later).Failure?.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Cancel(s, Mei.ScanTokenHash, later).Failure?.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Reject(s, Mei.ScanTokenHash, "r", later).Failure?.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Expire(s, later).Failure?.Code);
        Assert.Equal(name == "consumed" ? FailureCodes.AlreadyExchanged : FailureCodes.InvalidTransition,
            TicketLifecycle.Consume(s, Token, later).Failure?.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.CheckScannable(s, later)?.Code);
        Assert.False(TicketLifecycle.IsPastDeadline(s, later)); // a finished ticket has no deadline left
    }

    /// <summary>
    /// Once expired, every move says so: a phone (scan, confirm, cancel) or a PC (exchange, bind) must tell "too late, get
    /// a new code" from "already used", which <c>invalid_transition</c> alone does not.
    /// </summary>
    [Fact]
    public void An_expired_ticket_refuses_every_move_as_expired_not_as_used()
    {
        var s = Expired();
        var later = T0.AddDays(1);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Scan(s, Mei, later).Failure?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Confirm(s, Mei.ScanTokenHash, User, "x", ExchangeWindow, later).Failure?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Cancel(s, Mei.ScanTokenHash, later).Failure?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Reject(s, Mei.ScanTokenHash, "r", later).Failure?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Consume(s, Token, later).Failure?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.Expire(s, later).Failure?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.CheckScannable(s, later)?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.CheckScanner(s, Mei.ScanTokenHash, later, "confirm")?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.CheckBinding(s, later)?.Code);
        Assert.False(TicketLifecycle.IsPastDeadline(s, later)); // the answer comes from the status, not from a deadline left
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

    /// <summary>
    /// Every move from every state, before any deadline: the resulting status (and version step) or the exact failure code.
    /// Mei scanned the ticket; Lei is anyone else.
    /// </summary>
    public static TheoryData<string, string, string> Moves => new()
    {
        { "pending", "scan-mei", "scanned+1" }, { "pending", "scan-lei", "scanned+1" },
        { "pending", "confirm-mei", FailureCodes.InvalidTransition }, { "pending", "cancel-mei", FailureCodes.InvalidTransition },
        { "pending", "reject-mei", FailureCodes.InvalidTransition }, { "pending", "consume", FailureCodes.InvalidTransition },
        { "pending", "expire", FailureCodes.InvalidTransition },
        { "scanned", "scan-mei", "scanned+0" }, { "scanned", "scan-lei", FailureCodes.AlreadyScanned },
        { "scanned", "confirm-mei", "confirmed+1" }, { "scanned", "confirm-lei", FailureCodes.ScanTokenInvalid },
        { "scanned", "cancel-mei", "cancelled+1" }, { "scanned", "cancel-lei", FailureCodes.ScanTokenInvalid },
        { "scanned", "reject-mei", "rejected+1" }, { "scanned", "reject-lei", FailureCodes.ScanTokenInvalid },
        { "scanned", "consume", FailureCodes.InvalidTransition }, { "scanned", "expire", FailureCodes.InvalidTransition },
        { "confirmed", "scan-mei", FailureCodes.InvalidTransition }, { "confirmed", "scan-lei", FailureCodes.InvalidTransition },
        { "confirmed", "confirm-mei", FailureCodes.InvalidTransition }, { "confirmed", "cancel-mei", FailureCodes.InvalidTransition },
        { "confirmed", "reject-mei", FailureCodes.InvalidTransition }, { "confirmed", "consume", "consumed+1" },
        { "confirmed", "expire", FailureCodes.InvalidTransition },
    };

    [Theory]
    [MemberData(nameof(Moves))]
    public void Each_move_from_each_live_state_has_one_answer(string from, string move, string expected)
    {
        var s = StateNamed(from);
        var now = T0.AddSeconds(10);
        var outcome = move switch
        {
            "scan-mei" => TicketLifecycle.Scan(s, Mei with { ScanTokenHash = "token-hash-new" }, now),
            "scan-lei" => TicketLifecycle.Scan(s, Lei, now),
            "confirm-mei" => TicketLifecycle.Confirm(s, Mei.ScanTokenHash, User, "ticket-1.y", ExchangeWindow, now),
            "confirm-lei" => TicketLifecycle.Confirm(s, Lei.ScanTokenHash, User, "ticket-1.y", ExchangeWindow, now),
            "cancel-mei" => TicketLifecycle.Cancel(s, Mei.ScanTokenHash, now),
            "cancel-lei" => TicketLifecycle.Cancel(s, Lei.ScanTokenHash, now),
            "reject-mei" => TicketLifecycle.Reject(s, Mei.ScanTokenHash, "why", now),
            "reject-lei" => TicketLifecycle.Reject(s, Lei.ScanTokenHash, "why", now),
            "consume" => TicketLifecycle.Consume(s, Token, now),
            "expire" => TicketLifecycle.Expire(s, now),
            _ => throw new ArgumentOutOfRangeException(nameof(move)),
        };
        if (expected.Split('+') is [var status, var step])
        {
            Assert.True(outcome.Succeeded, outcome.Failure?.Code);
            Assert.Equal(status, outcome.Value!.Status.ToWireName());
            Assert.Equal(s.Version + int.Parse(step), outcome.Value.Version);
            Assert.Equal(s.TicketId, outcome.Value.TicketId);
        }
        else
        {
            Assert.Equal(expected, outcome.Failure?.Code);
            Assert.Null(outcome.Value);
            // The sentence for people names the refused move and the state it met.
            var verb = move.Split('-')[0] switch { "consume" => "exchange", var v => v };
            if (expected == FailureCodes.InvalidTransition) Assert.Equal($"Cannot {verb} a ticket that is {from}.", outcome.Failure!.Message);
        }
    }

    [Fact]
    public void Checks_before_calling_wechat_agree_with_the_moves()
    {
        Assert.Null(TicketLifecycle.CheckScannable(Pending(), T0));
        Assert.Null(TicketLifecycle.CheckScannable(Scanned(), T0.AddSeconds(5)));
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.CheckScannable(Pending(), T0 + Lifetime)?.Code);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.CheckScannable(Confirmed(), T0.AddSeconds(5))?.Code);
        Assert.Null(TicketLifecycle.CheckScanner(Scanned(), Mei.ScanTokenHash, T0.AddSeconds(5), "confirm"));
        Assert.Equal(FailureCodes.ScanTokenInvalid, TicketLifecycle.CheckScanner(Scanned(), Lei.ScanTokenHash, T0.AddSeconds(5), "confirm")?.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.CheckScanner(Scanned(), Mei.ScanTokenHash, T0 + Lifetime, "confirm")?.Code);
        Assert.Contains("confirm", TicketLifecycle.CheckScanner(Pending(), Mei.ScanTokenHash, T0, "confirm")!.Message);
    }

    [Fact]
    public void Refusals_of_the_checks_name_the_refused_move_or_the_expired_ticket()
    {
        // The same sentences as the moves' refusals: the scan and bind checks run before the move itself.
        Assert.Equal("Cannot scan a ticket that is confirmed.", TicketLifecycle.CheckScannable(Confirmed(), T0.AddSeconds(5))!.Message);
        Assert.Equal("Cannot bind a ticket that is scanned.", TicketLifecycle.CheckBinding(Scanned(), T0.AddSeconds(5))!.Message);
        Assert.Equal("Ticket ticket-1 has expired.", TicketLifecycle.CheckScannable(Pending(), T0 + Lifetime)!.Message);
    }

    [Theory]
    [InlineData(false, null, "server")]
    [InlineData(false, "", "server")]
    [InlineData(false, "https://shop.example", "web")]
    [InlineData(true, "https://shop.example", "hosted_login")]
    [InlineData(true, null, "hosted_login")]
    public void The_phone_is_told_whether_a_server_a_web_page_or_the_hosted_login_asked_for_the_ticket(bool hostedLogin, string? origin, string via)
    {
        var opening = new TicketOpening("app", "wechat", new Requester("127.0.0.1", "ua", origin), "secret-hash", HostedLogin: hostedLogin);
        Assert.Equal(via, TicketLifecycle.Open("ticket-1", opening, "pool", "App", "WeChat", Lifetime, T0).RequestedVia);
    }

    [Fact]
    public void A_state_with_nothing_set_has_empty_ids_and_names_never_null()
    {
        // What the serializer starts from when it reads a ticket stored before a field existed (the app and source names came later).
        var blank = new TicketState();
        Assert.Equal(["", "", "", "", "", "", ""],
            new[] { blank.TicketId, blank.PoolId, blank.AppId, blank.IdentitySource, blank.BrowserSecretHash, blank.AppName, blank.IdentitySourceName });
    }

    [Fact]
    public void Finishing_records_when_and_why_and_drops_the_exchange_code_unless_consumed()
    {
        var cancelled = Cancelled();
        Assert.Equal((T0.AddSeconds(2), (string?)null, (string?)null), (cancelled.FinishedAt, cancelled.Reason, cancelled.ExchangeCode));
        var expiredAfterConfirm = TicketLifecycle.Expire(Confirmed(), Confirmed().Deadline!.Value).Value!;
        Assert.Equal(TicketStatus.Expired, expiredAfterConfirm.Status);
        Assert.Null(expiredAfterConfirm.ExchangeCode);
        Assert.Null(expiredAfterConfirm.Reason);
        Assert.Equal(Confirmed().Deadline, expiredAfterConfirm.FinishedAt);
        // A consumed ticket keeps its code so a retried exchange with the same key can be recognised; its snapshot never shows it.
        var consumed = Consumed();
        Assert.Equal(("ticket-1.x", T0.AddSeconds(3)), (consumed.ExchangeCode, consumed.FinishedAt));
        Assert.Null(consumed.ToSnapshot().ExchangeCode);
        Assert.Null(consumed.Deadline);
        Assert.Null(Scanned().ToSnapshot().ExchangeCode);
        Assert.Null(Pending().ToSnapshot().Scanner);
    }

    [Fact]
    public void The_open_ticket_remembers_who_asked_and_for_what()
    {
        var s = Pending();
        Assert.Equal(("ticket-1", "pool", "app", "App", "wechat", "WeChat"),
            (s.TicketId, s.PoolId, s.AppId, s.AppName, s.IdentitySource, s.IdentitySourceName));
        Assert.Equal(("127.0.0.1", "secret-hash", T0), (s.Requester.IpAddress, s.BrowserSecretHash, s.CreatedAt));
        Assert.Null(s.FinishedAt);
        var snapshot = Confirmed().ToSnapshot();
        Assert.Equal(("ticket-1", TicketStatus.Confirmed, 3), (snapshot.TicketId, snapshot.Status, snapshot.Version));
    }
}
