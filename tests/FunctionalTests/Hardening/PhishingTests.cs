using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScanLogin.FunctionalTests.Admin;
using Xunit;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>
/// QR-login phishing with default settings: a server shows an application's code on its own page and, once the victim
/// confirms, exchanges the code itself. The defaults must leave it nothing to take.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class PhishingTests(SystemFixture system)
{
    private static HttpRequestMessage Create(string appId, string? origin = null, (string Id, string Secret)? credentials = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId, identitySource = Tenant.Source }) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (credentials is { } c) request.Headers.Authorization = Api.AppCredentials(c.Id, c.Secret);
        return request;
    }

    [Fact]
    public async Task A_new_pool_lets_only_the_applications_backend_exchange()
    {
        using var platform = new AdminClient(system.Operator(system.PlatformKey));
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..10];
        var pool = await platform.OkAsync(HttpMethod.Post, "/admin/v1/pools", new { id = poolId, name = "Shop" }, HttpStatusCode.Created);
        Assert.False(pool["browserExchange"]!.GetValue<bool>());
        var app = await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications",
            new { name = "Shop web", allowedOrigins = new[] { "https://shop.example.com" } }, HttpStatusCode.Created);
        var (appId, appSecret) = (app["application"]!["appId"]!.GetValue<string>(), app["appSecret"]!.GetValue<string>());
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources",
            new { identifier = Tenant.Source, displayName = "WeChat", applicationIds = new[] { appId } }, HttpStatusCode.Created);

        // The phisher's page: a listed Origin is only a header a server can forge; it gets a ticket and a browser secret.
        var ticket = (await (await system.A.SendAsync(Create(appId, origin: "https://shop.example.com"))).Content.ReadFromJsonAsync<TicketCreated>())!;
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null)));
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken)).StatusCode);
        var code = (await Api.StatusAsync(system.A, ticket.TicketId)).ExchangeCode!;

        await Api.ProblemAsync(await Api.ExchangeAsync(system.A, code, ticket.BrowserSecret), HttpStatusCode.Forbidden, "exchange_forbidden");
        var backend = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/exchange") { Content = JsonContent.Create(new { code }) };
        backend.Headers.Authorization = Api.AppCredentials(appId, appSecret);
        Assert.Equal(HttpStatusCode.OK, (await system.A.SendAsync(backend)).StatusCode);
    }

    [Fact]
    public async Task The_phone_sees_which_application_asks_from_which_origin_and_address()
    {
        var tenant = await system.CreateTenantAsync(allowedOrigins: ["https://shop.example.com"]);
        var fromPage = (await (await system.A.SendAsync(Create(tenant.AppId, origin: "https://shop.example.com"))).Content.ReadFromJsonAsync<TicketCreated>())!;
        var fromBackend = await Api.CreateTicketAsync(system.A, tenant);

        async Task<JsonNode> ScanAsync(string ticketId)
        {
            var response = await Api.ScanAsync(system.B, ticketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }
        var page = await ScanAsync(fromPage.TicketId);
        Assert.Equal("Functional test site", page["appName"]!.GetValue<string>());
        Assert.Equal("https://shop.example.com", page["requesterOrigin"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", page["requesterIp"]!.GetValue<string>());
        var backend = await ScanAsync(fromBackend.TicketId);
        Assert.Null(backend["requesterOrigin"]); // created by the application's own backend with its secret
    }
}
