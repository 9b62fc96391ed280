using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ScanLogin.FunctionalTests.Admin;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The hosted login's tickets as the phone sees them (issue 19 item 2): the phone is told the request came from the hosted
/// page and from which browser, and an application can refuse to finish a login from another address than the one that opened it.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed partial class HostedLoginRequesterTests(SystemFixture system)
{
    private const string Callback = "https://site.example/callback";
    private const string Site = "https://site.example";

    [Fact]
    public async Task The_phone_is_told_whether_a_ticket_came_from_the_hosted_page_a_web_page_or_a_server_and_from_which_browser()
    {
        var tenant = await TenantAsync();
        var cookies = new CookieContainer();
        using var browser = Browser(cookies, IPAddress.Loopback, "RelayBrowser/1.0");
        var (loginPage, ticketId) = await OpenLoginAsync(browser, tenant);
        Assert.NotEmpty(loginPage);

        var hosted = await ScanAsync(ticketId);
        Assert.Equal("hosted_login", hosted.GetProperty("requestedVia").GetString());
        Assert.Equal("127.0.0.1", hosted.GetProperty("requesterIp").GetString());
        Assert.Equal("RelayBrowser/1.0", hosted.GetProperty("requesterUserAgent").GetString());
        Assert.Equal(JsonValueKind.Null, hosted.GetProperty("requesterOrigin").ValueKind);

        var backend = await Api.CreateTicketAsync(system.A, tenant);
        Assert.Equal("server", (await ScanAsync(backend.TicketId)).GetProperty("requestedVia").GetString());

        var fromPage = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = tenant.AppId, identitySource = Tenant.Source }) };
        fromPage.Headers.Add("Origin", Site);
        var created = await system.A.SendAsync(fromPage);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var web = await ScanAsync((await created.Content.ReadFromJsonAsync<TicketCreated>())!.TicketId);
        Assert.Equal(("web", Site), (web.GetProperty("requestedVia").GetString(), web.GetProperty("requesterOrigin").GetString()));
    }

    [Fact]
    public async Task With_hostedLoginSameAddress_a_login_opened_at_one_address_is_not_completed_from_another()
    {
        var tenant = await TenantAsync();
        using var admin = new AdminClient(system.Operator(system.PlatformKey));
        var path = $"/admin/v1/pools/{tenant.PoolId}/applications/{tenant.AppId}";
        Assert.False((await admin.OkAsync(HttpMethod.Get, path))["hostedLoginSameAddress"]!.GetValue<bool>());
        await admin.ProblemAsync(HttpMethod.Patch, path, new { hostedLoginSameAddress = "yes" }, HttpStatusCode.BadRequest, "malformed_request");

        // Off (the default): a login opened at one address may be finished from another.
        Assert.Equal(HttpStatusCode.Redirect, (await OpenConfirmAndCompleteElsewhereAsync(tenant)).StatusCode);

        Assert.True((await admin.OkAsync(HttpMethod.Patch, path, new { hostedLoginSameAddress = true }))["hostedLoginSameAddress"]!.GetValue<bool>());
        Assert.True((await admin.OkAsync(HttpMethod.Get, path))["hostedLoginSameAddress"]!.GetValue<bool>());
        var openApi = System.Text.Json.Nodes.JsonNode.Parse(await system.A.GetStringAsync("/openapi/v1.json"))!;
        Assert.NotNull(openApi["components"]!["schemas"]!["ApplicationRequest"]!["properties"]!["hostedLoginSameAddress"]);

        // On: the other address gets a page, no code; the address that opened it still finishes the login.
        var cookies = new CookieContainer();
        using var opener = Browser(cookies, IPAddress.Loopback);
        using var elsewhere = Browser(cookies, IPAddress.Parse("127.0.0.2"));
        var (loginPage, ticketId) = await OpenLoginAsync(opener, tenant);
        await ConfirmAsync(ticketId);
        var refused = await elsewhere.GetAsync(loginPage + "/complete");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Null(refused.Headers.Location);
        Assert.Contains("address_changed", await refused.Content.ReadAsStringAsync());
        var completed = await opener.GetAsync(loginPage + "/complete");
        Assert.Equal(HttpStatusCode.Redirect, completed.StatusCode);
        Assert.StartsWith(Callback + "?code=", completed.Headers.Location!.ToString());
    }

    private async Task<HttpResponseMessage> OpenConfirmAndCompleteElsewhereAsync(Tenant tenant)
    {
        var cookies = new CookieContainer();
        using var opener = Browser(cookies, IPAddress.Loopback);
        using var elsewhere = Browser(cookies, IPAddress.Parse("127.0.0.2"));
        var (loginPage, ticketId) = await OpenLoginAsync(opener, tenant);
        await ConfirmAsync(ticketId);
        return await elsewhere.GetAsync(loginPage + "/complete");
    }

    private async Task<Tenant> TenantAsync()
    {
        var tenant = await system.CreateTenantAsync();
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { CallbackUrls = [Callback], AllowedOrigins = [Site] }, null);
        return tenant;
    }

    private async Task<(string LoginPage, string TicketId)> OpenLoginAsync(HttpClient browser, Tenant tenant)
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = tenant.AppId, ["redirect_uri"] = Callback, ["scope"] = "openid", ["state"] = "st",
            ["code_challenge"] = LoginDriver.Challenge("v".PadRight(43, 'v')), ["code_challenge_method"] = "S256",
        };
        var started = await browser.GetAsync(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"/oidc/{tenant.PoolId}/authorize", query));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var loginPage = started.Headers.Location!.ToString();
        var html = await browser.GetStringAsync(loginPage);
        return (loginPage, TicketInPage().Match(html).Groups[1].Value);
    }

    private async Task<JsonElement> ScanAsync(string ticketId)
    {
        var openId = await system.Emulator.CreateUserAsync();
        var response = await Api.ScanAsync(system.B, ticketId, await system.Emulator.LoginCodeAsync(openId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task ConfirmAsync(string ticketId)
    {
        var scan = await ScanAsync(ticketId);
        (await Api.ConfirmAsync(system.B, ticketId, scan.GetProperty("scanToken").GetString()!)).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A browser that keeps cookies, shows redirects instead of following them, and connects from <paramref name="from"/>
    /// (any 127.x address reaches the loopback front end, and the front end sees that address).
    /// </summary>
    private HttpClient Browser(CookieContainer cookies, IPAddress from, string userAgent = "Mozilla/5.0 (test)")
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = system.A.BaseAddress };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return client;
    }

    [GeneratedRegex("/api/tickets/([A-Za-z0-9_-]{22})/qr\\.png")]
    private static partial Regex TicketInPage();
}
