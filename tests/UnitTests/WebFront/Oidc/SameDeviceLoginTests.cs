using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Which user agents get "Open in WeChat" on the hosted page: phones' browsers and WeChat's own, not desktops.</summary>
public sealed class SameDeviceLoginTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36")]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0 Safari/537.36 MicroMessenger/7.0.20 NetType/WIFI WindowsWechat")]
    public void Phones_and_wechats_browser_are_offered_the_link(string userAgent) => Assert.True(SameDeviceLogin.IsPhone(userAgent));

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15")]
    [InlineData("curl/8.5.0")]
    [InlineData("")]
    [InlineData(null)]
    public void Desktops_and_unknown_clients_are_not(string? userAgent) => Assert.False(SameDeviceLogin.IsPhone(userAgent));

    [Fact]
    public void The_page_asks_for_the_link_of_its_own_ticket() =>
        Assert.Equal("/api/tickets/AbCdEfGhIjKlMnOpQrStUv/open-in-wechat", SameDeviceLogin.LinkPath("AbCdEfGhIjKlMnOpQrStUv"));
}
