using ScanLogin.WebFront.Admin;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Each admin field rule, with accepted and refused values at its edges.</summary>
public sealed class AdminValidationTests
{
    private static bool Passes(Action<AdminValidation> rule)
    {
        var validation = new AdminValidation();
        rule(validation);
        return validation.IsValid;
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("tenant-1", true)]
    [InlineData("ab", false)]
    [InlineData("-abc", false)]
    [InlineData("Tenant", false)]
    [InlineData("a.b.c", false)]
    public void Pool_ids(string id, bool ok) => Assert.Equal(ok, Passes(v => v.PoolId("id", id)));

    [Theory]
    [InlineData("abcdefghijklmnopqrstuvwxyz-0123", true)] // 31
    [InlineData("abcdefghijklmnopqrstuvwxyz-01234", false)] // 32
    [InlineData("wechat", true)]
    [InlineData("WeChat", false)]
    [InlineData("we chat", false)]
    [InlineData("", false)]
    public void Identifiers(string value, bool ok) => Assert.Equal(ok, Passes(v => v.Identifier("identifier", value)));

    [Theory]
    [InlineData("https://shop.example.com/cb?x=1", true)]
    [InlineData("http://127.0.0.1:8080/cb", true)]
    [InlineData("http://localhost/cb", true)]
    [InlineData("http://[::1]/cb", true)]
    [InlineData("http://shop.example.com/cb", false)]
    [InlineData("ftp://shop.example.com/cb", false)]
    [InlineData("https://user:pass@shop.example.com/", false)]
    [InlineData("shop.example.com/cb", false)]
    public void Urls_are_https_or_loopback_http(string url, bool ok) => Assert.Equal(ok, Passes(v => v.Url("callbackUrl", url)));

    [Theory]
    [InlineData("https://shop.example.com", true)]
    [InlineData("https://shop.example.com:8443", true)]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("https://shop.example.com/", false)]
    [InlineData("https://shop.example.com/path", false)]
    [InlineData("http://shop.example.com", false)]
    [InlineData("*", false)]
    public void Origins(string origin, bool ok) => Assert.Equal(ok, Passes(v => v.Origins("allowedOrigins", [origin])));

    [Fact]
    public void Lists_are_bounded()
    {
        Assert.False(Passes(v => v.Origins("allowedOrigins", Enumerable.Range(0, 51).Select(i => $"https://s{i}.example.com").ToArray())));
        Assert.True(Passes(v => v.Origins("allowedOrigins", Enumerable.Range(0, 50).Select(i => $"https://s{i}.example.com").ToArray())));
    }

    [Theory]
    [InlineData(29, false)]
    [InlineData(30, true)]
    [InlineData(600, true)]
    [InlineData(601, false)]
    public void Ticket_lifetime_is_bounded(int seconds, bool ok) => Assert.Equal(ok, Passes(v => v.TicketLifetime("ticketLifetimeSeconds", seconds)));

    [Theory]
    [InlineData("wx0123456789abcdef", true)]
    [InlineData("wx0123456789ABCDEF", false)]
    [InlineData("wx0123456789abcde", false)]
    public void Mini_program_app_ids(string value, bool ok) => Assert.Equal(ok, Passes(v => v.MiniProgramAppId("miniProgramAppId", value)));

    [Theory]
    [InlineData("WeChat", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("bad\u0007name", false)]
    public void Names(string value, bool ok) => Assert.Equal(ok, Passes(v => v.Name("displayName", value)));

    [Fact]
    public void Every_failure_is_reported_per_field()
    {
        var validation = new AdminValidation();
        validation.Identifier("identifier", "BAD");
        validation.TicketLifetime("ticketLifetimeSeconds", 1);
        Assert.Equal(["identifier", "ticketLifetimeSeconds"], validation.Errors.Keys.Order().ToArray());
    }
}
