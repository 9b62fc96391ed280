using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The ask-binding moves of a ticket: scanned -> binding_required -> confirmed, and every way out.</summary>
public sealed class TicketBindingLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly Scanner Mei = new("openid-mei", null, "Mei", null, "code-hash-1", "token-hash-1");
    private static readonly WeChatLogin Login = new("wechat", "wx1", "openid-mei", null, "+8613800138000", "Mei", null,
        LoginMode.LoginAndRegister, AccountAssociation.AskBinding);
    private static readonly UserProfile User = new("user-1", "pool", "Mei", null, null, T0);

    private static TicketState Scanned() => TicketLifecycle.Scan(TicketLifecycle.Open("ticket-1",
        new TicketOpening("app", "wechat", new Requester(null, null, null), "secret-hash"), "pool", "App", "WeChat", TimeSpan.FromSeconds(120), T0),
        Mei, T0.AddSeconds(1)).Value!;

    private static TicketState Waiting() => TicketLifecycle.RequireBinding(Scanned(), Mei.ScanTokenHash, Login, "246810", Window, T0.AddSeconds(2)).Value!;

    [Fact]
    public void Binding_required_is_live_with_its_own_deadline_and_keeps_the_login()
    {
        var waiting = Waiting();
        Assert.Equal((TicketStatus.BindingRequired, 3), (waiting.Status, waiting.Version));
        Assert.False(waiting.Status.IsTerminal());
        Assert.Equal("binding_required", waiting.Status.ToWireName());
        Assert.Equal(T0.AddSeconds(2) + Window, waiting.Deadline);
        Assert.Equal(Login, waiting.PendingLogin);
        // Its deadline, not the confirm window, decides: past ConfirmBy it is still live.
        Assert.Null(TicketLifecycle.CheckBinding(waiting, T0.AddSeconds(200)));
    }

    [Fact]
    public void Only_the_scanner_moves_a_scanned_ticket_to_binding_required()
    {
        Assert.Equal(FailureCodes.ScanTokenInvalid, TicketLifecycle.RequireBinding(Scanned(), "other", Login, "246810", Window, T0.AddSeconds(2)).Failure!.Code);
        var again = TicketLifecycle.RequireBinding(Waiting(), Mei.ScanTokenHash, Login, "246810", Window, T0.AddSeconds(3)).Failure!;
        Assert.Equal(FailureCodes.InvalidTransition, again.Code);
        // On the phone this move is its confirm: the refusal names it so.
        Assert.Equal("Cannot confirm a ticket that is binding_required.", again.Message);
    }

    [Fact]
    public void Completing_the_binding_confirms_for_the_usual_exchange_and_drops_the_login()
    {
        var confirmed = TicketLifecycle.CompleteBinding(Waiting(), User, "ticket-1.x", TimeSpan.FromMinutes(5), T0.AddSeconds(10), passwordProven: true).Value!;
        Assert.Equal((TicketStatus.Confirmed, 4, "ticket-1.x"), (confirmed.Status, confirmed.Version, confirmed.ExchangeCode));
        Assert.Equal((T0.AddSeconds(10), true), (confirmed.ConfirmedAt, confirmed.PasswordProven));
        Assert.Equal(User, confirmed.User);
        Assert.Null(confirmed.PendingLogin);
        Assert.Equal(FailureCodes.InvalidTransition,
            TicketLifecycle.CompleteBinding(confirmed, User, "ticket-1.y", TimeSpan.FromMinutes(5), T0.AddSeconds(11)).Failure!.Code);
        Assert.Equal(FailureCodes.InvalidTransition,
            TicketLifecycle.CompleteBinding(Scanned(), User, "ticket-1.y", TimeSpan.FromMinutes(5), T0.AddSeconds(11)).Failure!.Code);
    }

    [Fact]
    public void Only_the_binding_code_the_phone_got_proves_the_pc_is_with_it_and_the_code_is_dropped_when_the_ticket_moves_on()
    {
        var waiting = Waiting();
        Assert.Equal("246810", waiting.BindingCode);
        Assert.Null(TicketLifecycle.CheckBindingCode(waiting, "246810"));
        foreach (var wrong in new[] { "246811", "", "2468100", "024681" })
            Assert.Equal(FailureCodes.BindingCodeInvalid, TicketLifecycle.CheckBindingCode(waiting, wrong)!.Code);
        // A ticket stored before codes existed has none: nothing matches it.
        Assert.Equal(FailureCodes.BindingCodeInvalid, TicketLifecycle.CheckBindingCode(waiting with { BindingCode = null }, "")!.Code);
        Assert.Null(waiting.ToSnapshot().BindingCode);
        Assert.DoesNotContain("246810", waiting.ToString());

        Assert.Null(TicketLifecycle.CompleteBinding(waiting, User, "ticket-1.x", Window, T0.AddSeconds(10)).Value!.BindingCode);
        Assert.Null(TicketLifecycle.Expire(waiting, waiting.Deadline!.Value).Value!.BindingCode);
    }

    [Fact]
    public void Wrong_passwords_are_counted_without_a_new_version_and_the_last_allowed_one_rejects()
    {
        var state = Waiting();
        for (var i = 1; i < 5; i++)
        {
            state = TicketLifecycle.FailBinding(state, 5, T0.AddSeconds(10 + i)).Value!;
            Assert.Equal((TicketStatus.BindingRequired, 3, i), (state.Status, state.Version, state.BindingFailures));
        }
        var rejected = TicketLifecycle.FailBinding(state, 5, T0.AddSeconds(20)).Value!;
        Assert.Equal((TicketStatus.Rejected, FailureCodes.TooManyAttempts, 4), (rejected.Status, rejected.Reason, rejected.Version));
        Assert.Null(rejected.PendingLogin);
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.FailBinding(rejected, 5, T0.AddSeconds(21)).Failure!.Code);
    }

    [Fact]
    public void Binding_required_expires_at_its_deadline_and_then_refuses_binding()
    {
        var waiting = Waiting();
        var deadline = waiting.Deadline!.Value;
        Assert.Equal(FailureCodes.InvalidTransition, TicketLifecycle.Expire(waiting, deadline.AddSeconds(-1)).Failure!.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.CheckBinding(waiting, deadline)!.Code);
        Assert.Equal(FailureCodes.TicketExpired, TicketLifecycle.CompleteBinding(waiting, User, "c", Window, deadline).Failure!.Code);
        var expired = TicketLifecycle.Expire(waiting, deadline).Value!;
        Assert.Equal(TicketStatus.Expired, expired.Status);
        Assert.Null(expired.PendingLogin);
    }

    [Fact]
    public void The_scanner_can_cancel_while_binding_is_required_and_nobody_else_can()
    {
        Assert.Equal(FailureCodes.ScanTokenInvalid, TicketLifecycle.Cancel(Waiting(), "other", T0.AddSeconds(5)).Failure!.Code);
        var cancelled = TicketLifecycle.Cancel(Waiting(), Mei.ScanTokenHash, T0.AddSeconds(5)).Value!;
        Assert.Equal((TicketStatus.Cancelled, 4), (cancelled.Status, cancelled.Version));
        Assert.Null(cancelled.PendingLogin);
    }
}
