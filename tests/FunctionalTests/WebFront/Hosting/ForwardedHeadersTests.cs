using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace ScanLogin.FunctionalTests.Hosting;

/// <summary>X-Forwarded-For and X-Forwarded-Proto count only when they come from a configured proxy (ScanLogin:ForwardedHeaders).</summary>
public sealed class ForwardedHeadersTests
{
    private static void MapClientView(WebApplication app) =>
        app.MapGet("/__test/client", (HttpContext http) => $"{http.Connection.RemoteIpAddress} {http.Request.Scheme}");

    private static async Task<string> ClientSeenAsync(Dictionary<string, string?> settings)
    {
        await using var front = new FrontEndFirst(settings, MapClientView);
        var answer = await front.FirstAnswerAsync("/__test/client", r =>
        {
            r.Headers.Add("X-Forwarded-For", "203.0.113.9");
            r.Headers.Add("X-Forwarded-Proto", "https");
        });
        return await answer.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_forged_forwarded_address_from_an_untrusted_sender_is_ignored()
    {
        // The test connects from 127.0.0.1; the only trusted proxy is elsewhere.
        var seen = await ClientSeenAsync(new() { ["ScanLogin:ForwardedHeaders:KnownProxies:0"] = "10.9.8.7" });
        Assert.Equal("127.0.0.1 http", seen);
    }

    [Fact]
    public async Task Without_configured_proxies_forwarded_headers_are_ignored_even_from_loopback()
    {
        Assert.Equal("127.0.0.1 http", await ClientSeenAsync([]));
    }

    [Fact]
    public async Task A_configured_proxy_network_forwards_the_clients_address_and_scheme()
    {
        var seen = await ClientSeenAsync(new() { ["ScanLogin:ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8" });
        Assert.Equal("203.0.113.9 https", seen);
    }

    [Fact]
    public void The_switch_that_trusts_every_sender_stops_the_front_end()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ScanLogin.WebFront.Hosting.FrontEndApp.Create(["--environment", "Development", "--FORWARDEDHEADERS_ENABLED", "true"]));
        Assert.Contains("ScanLogin:ForwardedHeaders", error.Message);
    }
}
