using System.Text.Json;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis.Authing;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The pure mapping between native tickets and the Authing wire protocol: strings, status numbers, error codes.</summary>
public sealed class AuthingTranslationTests
{
    private static readonly string TicketId = Secrets.NewId();
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static TicketSnapshot Snapshot(TicketStatus status, ScannerProfile? scanner = null, string? reason = null) =>
        new(TicketId, status, 3, null, scanner, status == TicketStatus.Confirmed ? $"{TicketId}.code" : null, reason);

    [Theory]
    [InlineData(TicketStatus.Pending, 0)]
    [InlineData(TicketStatus.Scanned, 1)]
    [InlineData(TicketStatus.Confirmed, 2)]
    [InlineData(TicketStatus.Consumed, 2)]
    [InlineData(TicketStatus.Cancelled, 3)]
    [InlineData(TicketStatus.Expired, -1)]
    [InlineData(TicketStatus.Rejected, 5)]
    [InlineData(TicketStatus.BindingRequired, 5)]
    public void Every_ticket_status_has_the_number_the_SDK_switches_on(TicketStatus status, int expected) =>
        Assert.Equal(expected, AuthingTranslation.StatusOf(status));

    [Fact]
    public void A_login_waiting_for_an_account_binding_ends_for_the_SDK_with_the_reason()
    {
        var answer = AuthingTranslation.ToStatus(Snapshot(TicketStatus.BindingRequired, new ScannerProfile("Mei", null)), "r", "app");
        Assert.Equal(5, answer.Status);
        Assert.Equal(FailureCodes.BindingRequired, answer.ScannedResult!.Reason);
        Assert.Equal(answer.ScannedResult.Message, answer.ScannedResult.Errmsg);
        Assert.Null(answer.Ticket);
    }

    [Fact]
    public void Every_ticket_status_is_mapped() =>
        Assert.All(Enum.GetValues<TicketStatus>(), s => AuthingTranslation.StatusOf(s));

    [Fact]
    public void A_random_is_the_ticket_id_and_a_secret_and_reads_back_to_the_id()
    {
        var random = AuthingTranslation.NewRandom(TicketId);
        Assert.Matches("^[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$", random);
        Assert.Equal(TicketId, AuthingTranslation.TicketIdOf(random));
        Assert.NotEqual(random, AuthingTranslation.NewRandom(TicketId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA!.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Anything_not_shaped_like_a_random_names_no_ticket(string? value) => Assert.Null(AuthingTranslation.TicketIdOf(value));

    [Fact]
    public void The_ticket_depends_on_the_whole_random_and_the_application_and_is_stable()
    {
        var random = AuthingTranslation.NewRandom(TicketId);
        var ticket = AuthingTranslation.TicketOf("app-1", random, TicketId);
        Assert.Equal(ticket, AuthingTranslation.TicketOf("app-1", random, TicketId));
        Assert.Equal(TicketId, AuthingTranslation.TicketIdOf(ticket));
        Assert.Equal(AuthingTranslation.BrowserSecretOf("app-1", random), AuthingTranslation.SecretOf(ticket));
        Assert.NotEqual(ticket, AuthingTranslation.TicketOf("app-2", random, TicketId));
        Assert.NotEqual(ticket, AuthingTranslation.TicketOf("app-1", AuthingTranslation.NewRandom(TicketId), TicketId));
        Assert.NotEqual(random, ticket);
    }

    [Theory]
    [InlineData(TicketStatus.Pending)]
    [InlineData(TicketStatus.Cancelled)]
    [InlineData(TicketStatus.Expired)]
    [InlineData(TicketStatus.Rejected)]
    public void Without_a_scan_to_show_user_info_is_an_empty_object_never_null(TicketStatus status)
    {
        var answer = AuthingTranslation.ToStatus(Snapshot(status, new ScannerProfile("Mei", null), FailureCodes.AccountCreationDisabled), "r", "app");
        Assert.Equal("{}", JsonSerializer.Serialize(answer.UserInfo, Web));
        Assert.Null(answer.Ticket);
    }

    [Fact]
    public void A_scan_shows_nickname_and_photo_as_strings_even_when_the_phone_shared_none()
    {
        var answer = AuthingTranslation.ToStatus(Snapshot(TicketStatus.Scanned, new ScannerProfile(null, null)), "r", "app");
        Assert.Equal("{\"nickname\":\"\",\"photo\":\"\"}", JsonSerializer.Serialize(answer.UserInfo, Web));
    }

    [Fact]
    public void Authorized_and_consumed_tickets_answer_the_same_ticket()
    {
        var random = AuthingTranslation.NewRandom(TicketId);
        var confirmed = AuthingTranslation.ToStatus(Snapshot(TicketStatus.Confirmed, new ScannerProfile("Mei", "https://a/b.png")), random, "app");
        var consumed = AuthingTranslation.ToStatus(Snapshot(TicketStatus.Consumed, new ScannerProfile("Mei", "https://a/b.png")), random, "app");
        Assert.Equal(AuthingTranslation.TicketOf("app", random, TicketId), confirmed.Ticket);
        Assert.Equal(confirmed.Ticket, consumed.Ticket);
        Assert.Equal("Mei", consumed.UserInfo.Nickname);
        Assert.Null(confirmed.ScannedResult);
    }

    [Fact]
    public void A_refusal_carries_message_and_errmsg_and_the_reason()
    {
        var answer = AuthingTranslation.ToStatus(Snapshot(TicketStatus.Rejected, reason: FailureCodes.BindingRequired), "r", "app");
        Assert.Equal(5, answer.Status);
        Assert.Equal(FailureCodes.BindingRequired, answer.ScannedResult!.Reason);
        Assert.Equal(403, answer.ScannedResult.Code);
        Assert.Equal(answer.ScannedResult.Message, answer.ScannedResult.Errmsg);
        Assert.Contains("bound", answer.ScannedResult.Errmsg);
    }

    [Fact]
    public void An_unknown_ticket_is_2241_and_other_failures_keep_the_native_status()
    {
        Assert.Equal(2241, AuthingTranslation.Refused(new Failure(FailureCodes.TicketNotFound, "gone")).Code);
        Assert.Equal(409, AuthingTranslation.CodeOf(FailureCodes.AlreadyExchanged));
        Assert.Equal(403, AuthingTranslation.CodeOf(FailureCodes.ExchangeForbidden));
        Assert.Equal(410, AuthingTranslation.CodeOf(FailureCodes.TicketExpired));
        var refused = AuthingTranslation.Refused(new Failure(FailureCodes.OriginNotAllowed, "no"));
        Assert.Equal(FailureCodes.OriginNotAllowed, refused.Data!.Error);
        Assert.Equal("no", refused.Message);
    }

    [Fact]
    public void The_user_has_the_ID_token_and_ISO_timestamps()
    {
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(8));
        var grant = new ExchangeGrant(new UserProfile("u1", "pool", "Mei", "https://a/b.png", "+8613800000000", created),
            new IssuedTokens("id-jwt", "access-jwt", new TokenStamp("jti", "kid", created, created.AddHours(1))));
        var user = AuthingTranslation.ToUser(grant, created.AddMinutes(1));
        Assert.Equal("id-jwt", user.Token); // Authing's user token is the OpenID Connect ID token
        Assert.Equal("2026-01-01T19:04:05.678Z", user.SignedUp);
        Assert.Equal("2026-01-01T20:04:05.678Z", user.TokenExpiredAt);
        Assert.True(user.PhoneVerified);
        var json = JsonSerializer.Serialize(user, Web);
        Assert.Contains("\"lastIP\":null", json);
        Assert.Contains("\"photo\":\"https://a/b.png\"", json);
    }
}
