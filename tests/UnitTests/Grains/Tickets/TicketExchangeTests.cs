using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tickets;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The exchange's own rules (<see cref="TicketExchange"/>), without a cluster; the grain tests cover the calls.</summary>
public sealed class TicketExchangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly UserProfile User = new("user-1", "pool", "Mei", null, null, T0);

    private static TicketState Ticket(TicketStatus status = TicketStatus.Confirmed, IssuedToken? token = null) => new()
    {
        TicketId = "ticket-1", Status = status, PoolId = "pool", AppId = "app", IdentitySource = "wechat",
        BrowserSecretHash = Secrets.HashBrowserSecret("browser-secret"), User = User, Token = token, Nonce = "n-1",
    };

    [Fact]
    public void Only_the_creating_browsers_secret_proves_the_holder()
    {
        Assert.True(TicketExchange.IsCreatingBrowser(Ticket(), "browser-secret"));
        Assert.False(TicketExchange.IsCreatingBrowser(Ticket(), "browser-secreT"));
        Assert.False(TicketExchange.IsCreatingBrowser(Ticket(), Secrets.HashBrowserSecret("browser-secret")));
    }

    [Fact]
    public void A_retry_is_recognised_only_on_a_consumed_ticket_with_the_same_idempotency_key()
    {
        var keyHash = TicketExchange.HashIdempotencyKey("key-1");
        var issued = new IssuedToken("jti", T0, T0.AddHours(1), keyHash, "app", "kid");
        Assert.Same(issued, TicketExchange.RetriedFor(Ticket(TicketStatus.Consumed, issued), keyHash));
        Assert.Null(TicketExchange.RetriedFor(Ticket(TicketStatus.Consumed, issued), TicketExchange.HashIdempotencyKey("key-2")));
        Assert.Null(TicketExchange.RetriedFor(Ticket(TicketStatus.Consumed, issued), null));
        Assert.Null(TicketExchange.RetriedFor(Ticket(TicketStatus.Confirmed, issued), keyHash));
        // A first exchange without a key can never be replayed.
        Assert.Null(TicketExchange.RetriedFor(Ticket(TicketStatus.Consumed, issued with { IdempotencyKeyHash = null }), keyHash));
    }

    [Fact]
    public void An_empty_idempotency_key_is_no_key_and_a_key_is_stored_only_hashed()
    {
        Assert.Null(TicketExchange.HashIdempotencyKey(null));
        Assert.Null(TicketExchange.HashIdempotencyKey(""));
        Assert.NotEqual("key-1", TicketExchange.HashIdempotencyKey("key-1"));
        Assert.Equal(TicketExchange.HashIdempotencyKey("key-1"), TicketExchange.HashIdempotencyKey("key-1"));
    }

    [Fact]
    public void The_tokens_carry_the_phones_approval_time_and_pwd_only_when_the_password_was_proven()
    {
        var confirmed = Ticket() with { ConfirmedAt = T0 };
        var plain = TicketExchange.TokenRequestFor(confirmed, T0.AddMinutes(1));
        Assert.Equal(T0, plain.AuthTime);
        Assert.Equal([TokenRequest.WeChatScanMethod], plain.AuthenticationMethods);
        Assert.Equal(("app", "n-1", "wechat"), (plain.AppId, plain.Nonce, plain.IdentitySource));
        Assert.Equal(TokenRequest.QrLoginScopes, plain.Scopes);
        var proven = TicketExchange.TokenRequestFor(confirmed with { PasswordProven = true }, T0.AddMinutes(1));
        Assert.Equal([TokenRequest.WeChatScanMethod, "pwd"], proven.AuthenticationMethods);
        Assert.Equal(T0.AddMinutes(1), TicketExchange.TokenRequestFor(Ticket(), T0.AddMinutes(1)).AuthTime);
    }

    [Fact]
    public void An_exchange_code_names_its_ticket_and_is_never_the_same_twice()
    {
        var one = TicketExchange.NewCode("ticket-1");
        Assert.StartsWith("ticket-1.", one);
        Assert.NotEqual(one, TicketExchange.NewCode("ticket-1"));
        Assert.True(one.Length > "ticket-1.".Length + 16);
    }
}
