using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The rules of a ticket waiting for binding (<see cref="TicketBinding"/>), without a cluster.</summary>
public sealed class TicketBindingTests
{
    private static WeChatLogin Login(LoginMode mode, string? phone) =>
        new("wechat", "wx-mp", "openid-1", null, phone, "Mei", null, mode, AccountAssociation.Off);

    private static TicketState Waiting(LoginMode mode = LoginMode.LoginAndRegister, string? phone = null, int failures = 0) => new()
    {
        TicketId = "ticket-1", Status = TicketStatus.BindingRequired, AppId = "app", PendingLogin = Login(mode, phone),
        BindingCode = "012345", BindingFailures = failures, Requester = new Requester("10.0.0.1", "ua", null), HostedLogin = true,
    };

    private static ApplicationSettings App(bool sameAddress) => new("app", "pool", "App", null, [], [], HostedLoginSameAddress: sameAddress);

    [Fact]
    public void A_binding_code_is_six_digits()
    {
        for (var i = 0; i < 50; i++) Assert.Matches("^[0-9]{6}$", TicketBinding.NewCode());
    }

    [Fact]
    public void Only_the_phones_answer_for_a_ticket_waiting_for_binding_carries_the_code()
    {
        var waiting = Waiting();
        Assert.Equal("012345", TicketBinding.WithCode(waiting.ToSnapshot(), waiting).BindingCode);
        var confirmed = waiting with { Status = TicketStatus.Confirmed };
        Assert.Null(TicketBinding.WithCode(confirmed.ToSnapshot(), confirmed).BindingCode);
        // An erased ticket has no code to show.
        Assert.Null(TicketBinding.WithCode(waiting.ToSnapshot(), null).BindingCode);
    }

    [Theory]
    [InlineData(LoginMode.LoginAndRegister, true)]
    [InlineData(LoginMode.LoginOnly, false)]
    public void The_pc_may_register_only_when_the_source_registers(LoginMode mode, bool canRegister) =>
        Assert.Equal(canRegister, TicketBinding.OfferFor(Waiting(mode), 5).CanRegister);

    [Fact]
    public void The_offer_says_whether_a_phone_was_shared_and_how_many_tries_are_left()
    {
        var offer = TicketBinding.OfferFor(Waiting(phone: "+8613800000000", failures: 2), 5);
        Assert.True(offer.PhoneShared);
        Assert.Equal(3, offer.AttemptsLeft);
        Assert.False(TicketBinding.OfferFor(Waiting(), 5).PhoneShared);
        Assert.Null(offer.Ticket.BindingCode);
    }

    [Fact]
    public void The_same_address_rule_applies_only_to_hosted_logins_of_applications_that_ask_for_it()
    {
        Assert.Null(TicketBinding.CheckSameAddress(App(false), Waiting(), "10.9.9.9"));
        Assert.Null(TicketBinding.CheckSameAddress(null, Waiting(), "10.9.9.9"));
        Assert.Null(TicketBinding.CheckSameAddress(App(true), Waiting() with { HostedLogin = false }, "10.9.9.9"));
        Assert.Null(TicketBinding.CheckSameAddress(App(true), Waiting(), "10.0.0.1"));
        Assert.Equal(FailureCodes.AddressChanged, TicketBinding.CheckSameAddress(App(true), Waiting(), "10.9.9.9")?.Code);
    }

    [Fact]
    public void A_missing_address_on_either_side_is_a_mismatch()
    {
        Assert.Equal(FailureCodes.AddressChanged, TicketBinding.CheckSameAddress(App(true), Waiting(), null)?.Code);
        Assert.Equal(FailureCodes.AddressChanged, TicketBinding.CheckSameAddress(App(true), Waiting(), "")?.Code);
        var noOpener = Waiting() with { Requester = new Requester(null, "ua", null) };
        Assert.Equal(FailureCodes.AddressChanged, TicketBinding.CheckSameAddress(App(true), noOpener, "10.0.0.1")?.Code);
    }
}
