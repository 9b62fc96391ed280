using System.Text;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Hosting;
using Xunit;

namespace ScanLogin.UnitTests.Hardening;

/// <summary>The pure rules behind the edge checks: safe text, cursors, WeChat backoff, and recognising Kestrel's refusals.</summary>
public sealed class EdgeRulesTests
{
    [Theory]
    [InlineData("shop-1", true)]
    [InlineData("微信登录", true)]
    [InlineData("emoji \U0001F600", true)]
    [InlineData("a\0b", false)]
    [InlineData("a\u001fb", false)]
    [InlineData("a\u007fb", false)]
    [InlineData("a\u0085b", false)]   // C1 control
    public void Safe_text_has_no_control_character(string text, bool safe)
    {
        Assert.Equal(safe, GrainKeys.IsSafeText(text));
        Assert.Equal(safe, GrainKeys.IsSafeUtf8(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Safe_text_has_no_lone_surrogate()
    {
        // Built here: test-case attributes would not carry a lone surrogate intact.
        foreach (var lone in new[] { "a" + (char)0xD800 + "b", "a" + (char)0xDC00, ((char)0xD800).ToString(), (char)0xDC00 + "" + (char)0xD800 })
            Assert.False(GrainKeys.IsSafeText(lone));
        Assert.True(GrainKeys.IsSafeText("" + (char)0xD83D + (char)0xDE00));
    }

    [Fact]
    public void Urls_and_origins_with_control_characters_are_invalid()
    {
        var validation = new ScanLogin.WebFront.Admin.AdminValidation();
        validation.Url("logoUrl", "https://shop.example.com/logo\u0001.png");
        validation.Origins("allowedOrigins", ["https://shop.example.com\u0000"]);
        validation.Url("callbackUrl", "https://shop.example.com/callback");
        Assert.Equal(["allowedOrigins", "logoUrl"], validation.Errors.Keys.Order());
    }

    [Fact]
    public void A_cursor_round_trips_and_anything_else_is_refused()
    {
        foreach (var id in new[] { "app-1", "Zz_9", "pool/source", "微信" })
        {
            Assert.True(Cursors.TryDecode(Cursors.Encode(id), out var decoded));
            Assert.Equal(id, decoded);
        }
        Assert.True(Cursors.TryDecode(null, out var none) && none is null);
        Assert.True(Cursors.TryDecode("", out none) && none is null);
        foreach (var bad in new[] { "AA", "YQBi", "_w", "%%%", "a b", "=", new string('A', Cursors.MaxLength + 4), Cursors.Encode("a\u0001") })
            Assert.False(Cursors.TryDecode(bad, out _), bad);
        Assert.True(Cursors.TryDecodeSequence(Cursors.Encode("42"), out var sequence) && sequence == 42);
        Assert.False(Cursors.TryDecodeSequence(Cursors.Encode("-1"), out _));
        Assert.False(Cursors.TryDecodeSequence(Cursors.Encode("x"), out _));
    }

    [Fact]
    public void The_wechat_backoff_doubles_from_a_second_up_to_five_minutes()
    {
        Assert.Equal(TimeSpan.Zero, WeChatBackoff.After(0));
        Assert.Equal(new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300 },
            Enumerable.Range(1, 11).Select(n => (int)WeChatBackoff.After(n).TotalSeconds).ToArray());
        Assert.Equal(WeChatBackoff.Max, WeChatBackoff.After(int.MaxValue));
    }

    [Fact]
    public void Only_a_bodiless_error_about_to_close_the_connection_is_taken_for_a_kestrel_refusal()
    {
        var refusal = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\nDate: x\r\nServer: Kestrel\r\n\r\n"u8;
        Assert.True(KestrelRefusals.IsRefusal(refusal));
        var rewritten = Encoding.ASCII.GetString(KestrelRefusals.Rewrite(refusal));
        Assert.StartsWith("HTTP/1.1 431 ", rewritten);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", rewritten);
        var body = rewritten[(rewritten.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", rewritten);
        Assert.Contains("\"code\":\"request_headers_too_large\"", body);
        Assert.DoesNotContain("Content-Length: 0", rewritten);

        Assert.False(KestrelRefusals.IsRefusal("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8));                      // keeps the connection
        Assert.False(KestrelRefusals.IsRefusal("HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"u8)); // has a body
        Assert.False(KestrelRefusals.IsRefusal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8));          // not an error
        Assert.False(KestrelRefusals.IsRefusal("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n{}"u8)); // more than a head
    }
}
