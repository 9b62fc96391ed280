using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Records that carry secrets print without them, so a log line or an exception message cannot leak one.</summary>
public sealed class SecretRedactionTests
{
    private const string Secret = "s3cret-0123456789abcdef";

    [Fact]
    public void App_credentials_print_their_app_id_only()
    {
        var credentials = new AppCredentials("app-42", Secret);
        Assert.Equal("AppCredentials { AppId = app-42 }", credentials.ToString());
        Assert.Equal(Secret, credentials.AppSecret); // the secret is still there for the code that checks it
        Assert.DoesNotContain(Secret, $"{credentials}");
    }

    [Fact]
    public void An_identity_source_runtime_prints_its_source_and_app_id_but_not_the_app_secret()
    {
        var settings = TenantRecords.IdentitySource("shop", "wechat", ["app-42"]) with { PrivateDeployment = true, MiniProgramAppId = "wx0123456789abcdef" };
        var runtime = new IdentitySourceRuntime(settings, "wx0123456789abcdef", Secret);
        Assert.Equal("IdentitySourceRuntime { shop/wechat, AppId = wx0123456789abcdef }", runtime.ToString());
        Assert.DoesNotContain(Secret, $"{runtime}");
        Assert.Equal(Secret, runtime.MiniProgramAppSecret);
    }

    [Fact]
    public void Purpose_tagged_hashes_differ_per_purpose_and_never_contain_the_value()
    {
        Assert.Equal(Secrets.Hash("a", Secret), Secrets.Hash("a", Secret));
        Assert.NotEqual(Secrets.Hash("a", Secret), Secrets.Hash("b", Secret));
        Assert.NotEqual(Secrets.Hash("a", Secret), Secrets.Hash("a", Secret + "x"));
        Assert.Equal(Secrets.Hash("browser-secret", Secret), Secrets.HashBrowserSecret(Secret));
        Assert.DoesNotContain(Secret, Secrets.Hash("a", Secret));
        Assert.Equal(43, Secrets.Hash("a", Secret).Length); // SHA-256, base64url without padding
        Assert.True(Secrets.FixedTimeEquals(Secret, Secret));
        Assert.False(Secrets.FixedTimeEquals(Secret, Secret[..^1]));
        Assert.False(Secrets.FixedTimeEquals(Secret, Secret.ToUpperInvariant()));
    }

    [Fact]
    public void The_stored_hash_format_never_changes()
    {
        // Application secrets, API keys and browser secrets are stored as these hashes: a new format would lock everyone out.
        Assert.Equal("QP789uzlc4UPU1xDWgfPySMfYMKrWsJjrX866BJ1dfI", Secrets.Hash("app-secret", "s3cret"));
    }

    [Theory]
    [InlineData(TicketStatus.Pending, "pending", false)]
    [InlineData(TicketStatus.Scanned, "scanned", false)]
    [InlineData(TicketStatus.Confirmed, "confirmed", false)]
    [InlineData(TicketStatus.Cancelled, "cancelled", true)]
    [InlineData(TicketStatus.Rejected, "rejected", true)]
    [InlineData(TicketStatus.Expired, "expired", true)]
    [InlineData(TicketStatus.Consumed, "consumed", true)]
    public void Statuses_have_one_wire_name_and_the_finished_ones_are_terminal(TicketStatus status, string wire, bool terminal)
    {
        Assert.Equal(wire, status.ToWireName());
        Assert.Equal(terminal, status.IsTerminal());
    }

    [Fact]
    public void Fresh_ids_and_secrets_are_random_url_safe_and_of_fixed_length()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => Secrets.NewId()).ToList();
        Assert.Equal(50, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(Secrets.IsWellFormedId(id), id));
        var secret = Secrets.NewSecret();
        Assert.Equal(43, secret.Length);
        Assert.DoesNotContain('=', secret);
        Assert.NotEqual(secret, Secrets.NewSecret());
        Assert.Equal("-_8", Secrets.Base64Url([0xfb, 0xff])); // "+/8=" in plain base64
    }

    [Theory]
    [InlineData("abcdefghijklmnopqrstuv", true)]
    [InlineData("ABC-_0123456789abcdefg", true)]
    [InlineData("abcdefghijklmnopqrstu", false)]
    [InlineData("abcdefghijklmnopqrstuvw", false)]
    [InlineData("abcdefghijklmnopqrst+/", false)]
    [InlineData("abcdefghijklmnopqrstu=", false)]
    [InlineData("abcdefghijklmnopqrstu.", false)]
    [InlineData(null, false)]
    public void Well_formed_ids_are_22_base64url_characters(string? value, bool ok) => Assert.Equal(ok, Secrets.IsWellFormedId(value));
}
