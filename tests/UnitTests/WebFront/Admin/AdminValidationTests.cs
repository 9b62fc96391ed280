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

    private static string[] ErrorsOf(Action<AdminValidation> rule)
    {
        var validation = new AdminValidation();
        rule(validation);
        return validation.Errors.TryGetValue("f", out var errors) ? errors : [];
    }

    [Fact]
    public void Each_rule_tells_the_operator_its_limits()
    {
        Assert.Equal(["3 to 40 lowercase letters, digits or '-', starting with a letter or digit."], ErrorsOf(v => v.PoolId("f", "A")));
        Assert.Equal(["Required: 1 to 64 characters, no control characters."], ErrorsOf(v => v.Name("f", "")));
        Assert.Equal(["Required: 1 to 8 characters, no control characters."], ErrorsOf(v => v.Name("f", "123456789", max: 8)));
        Assert.Equal(["Required: lowercase letters, digits and '-', shorter than 32 characters."], ErrorsOf(v => v.Identifier("f", "X")));
        Assert.Equal(["An absolute https URL (http only for loopback), at most 2048 characters, without credentials."], ErrorsOf(v => v.Url("f", "x")));
        Assert.Equal(["Required."], ErrorsOf(v => v.Url("f", null, required: true)));
        Assert.Equal(["Seconds, from 60 to 86400."], ErrorsOf(v => v.TokenLifetime("f", 59)));
        Assert.Equal(["Seconds, from 300 to 2592000."], ErrorsOf(v => v.SessionLifetime("f", 299)));
        Assert.Equal(["Seconds, from 30 to 600."], ErrorsOf(v => v.TicketLifetime("f", 29)));
        Assert.Equal(["A mini program AppID: 'wx' and 16 hexadecimal digits."], ErrorsOf(v => v.MiniProgramAppId("f", "wx")));
        Assert.Equal(["A mini program AppSecret: 16 to 128 letters, digits, '-' or '_'."], ErrorsOf(v => v.MiniProgramAppSecret("f", "short")));
        Assert.Equal(["'bad id!' is not an application id."], ErrorsOf(v => v.ApplicationIds("f", ["bad id!"])));
        Assert.Equal(["One of: a, b."], ErrorsOf(v => v.Choice("f", "c", new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 })));
        Assert.Equal(["'https://shop.example.com/' is not an origin like https://shop.example.com (http only for loopback, no path or trailing slash)."],
            ErrorsOf(v => v.Origins("f", ["https://shop.example.com/"])));
    }

    [Fact]
    public void Long_values_are_clipped_in_messages()
    {
        var forty = "https://s.example.com/" + new string('a', 18); // 40 characters, not an origin (it has a path)
        Assert.Contains($"'{forty}' is not", ErrorsOf(v => v.Origins("f", [forty]))[0]);
        Assert.Contains($"'{forty}…' is not", ErrorsOf(v => v.Origins("f", [forty + "b"]))[0]);
    }

    [Theory]
    [InlineData(null, false, true)]
    [InlineData(null, true, false)]
    [InlineData("https://shop.example.com/cb", true, true)]
    public void A_url_may_be_optional(string? url, bool required, bool ok) => Assert.Equal(ok, Passes(v => v.Url("callbackUrl", url, required)));

    [Fact]
    public void Urls_are_at_most_2048_characters_and_lists_at_most_50_entries()
    {
        var longest = "https://shop.example.com/" + new string('a', 2048 - 25);
        Assert.True(Passes(v => v.Url("u", longest)));
        Assert.False(Passes(v => v.Url("u", longest + "a")));
        var fifty = Enumerable.Range(0, 50).Select(i => $"https://s{i}.example.com/cb").ToArray();
        Assert.True(Passes(v => v.Urls("u", fifty)));
        Assert.False(Passes(v => v.Urls("u", [.. fifty, "https://x.example.com/cb"])));
        Assert.False(Passes(v => v.Urls("u", ["https://ok.example.com/cb", "http://plain.example.com/cb"])));
        Assert.True(Passes(v => v.Urls("u", null)));
        Assert.True(Passes(v => v.Origins("o", null)));
    }

    [Theory]
    [InlineData(59, false)]
    [InlineData(60, true)]
    [InlineData(86_400, true)]
    [InlineData(86_401, false)]
    [InlineData(null, true)]
    public void Token_lifetime_is_a_minute_to_a_day(int? seconds, bool ok) => Assert.Equal(ok, Passes(v => v.TokenLifetime("tokenLifetimeSeconds", seconds)));

    [Theory]
    [InlineData(299, false)]
    [InlineData(300, true)]
    [InlineData(2_592_000, true)]
    [InlineData(2_592_001, false)]
    [InlineData(null, true)]
    public void A_pool_session_lasts_five_minutes_to_thirty_days(int? seconds, bool ok) =>
        Assert.Equal(ok, Passes(v => v.SessionLifetime("sessionLifetimeSeconds", seconds)));

    [Theory]
    [InlineData("0123456789abcdef", true)]
    [InlineData("0123456789abcde", false)]
    [InlineData("0123456789ABCDEF-_0123456789", true)]
    [InlineData("0123456789abcdef!", false)]
    [InlineData(null, true)]
    public void Mini_program_secrets(string? value, bool ok) => Assert.Equal(ok, Passes(v => v.MiniProgramAppSecret("miniProgramAppSecret", value)));

    [Fact]
    public void Application_ids_are_short_url_safe_tokens_and_at_most_50()
    {
        Assert.True(Passes(v => v.ApplicationIds("applicationIds", ["app-1", "App_2", new string('a', 64)])));
        Assert.False(Passes(v => v.ApplicationIds("applicationIds", [new string('a', 65)])));
        Assert.False(Passes(v => v.ApplicationIds("applicationIds", [""])));
        Assert.True(Passes(v => v.ApplicationIds("applicationIds", null)));
        Assert.True(Passes(v => v.ApplicationIds("applicationIds", Enumerable.Range(0, 50).Select(i => $"a{i}").ToArray())));
        Assert.False(Passes(v => v.ApplicationIds("applicationIds", Enumerable.Range(0, 51).Select(i => $"a{i}").ToArray())));
    }

    [Fact]
    public void A_choice_answers_the_chosen_value_or_fails()
    {
        var modes = new Dictionary<string, int> { ["login_only"] = 1, ["login_and_register"] = 0 };
        var validation = new AdminValidation();
        Assert.Equal(1, validation.Choice("loginMode", "login_only", modes));
        Assert.True(validation.IsValid);
        Assert.Null(validation.Choice("loginMode", null, modes));
        Assert.Null(validation.Choice("loginMode", "LOGIN_ONLY", modes));
        Assert.Equal(["loginMode"], validation.Errors.Keys.ToArray());
        Assert.Equal(2, validation.Errors["loginMode"].Length);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Names_are_at_most_64_characters_after_trimming(int length, bool ok)
    {
        Assert.Equal(ok, Passes(v => v.Name("name", new string('n', length))));
        Assert.True(Passes(v => v.Name("name", "  " + new string('n', 64) + "  ")));
    }

    [Fact]
    public void Every_failure_is_reported_per_field()
    {
        var validation = new AdminValidation();
        validation.Identifier("identifier", "BAD");
        validation.TicketLifetime("ticketLifetimeSeconds", 1);
        Assert.Equal(["identifier", "ticketLifetimeSeconds"], validation.Errors.Keys.Order().ToArray());
    }
}
