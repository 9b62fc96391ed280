using System.Net;
using System.Net.Http.Json;
using System.Text;
using ScanLogin.FunctionalTests.Authing;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// The Origin rule through every HTTP API that opens or reads a ticket: a browser page on one of the application's
/// allowed origins, or the application's backend (no Origin) with its own credentials (the native ticket API and
/// Authing's gene); a ticket's answers carry CORS only for its own application's origins. The silo's side of the rule:
/// tests/UnitTests/Grains/Tickets/OriginRuleTests.cs.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class OriginRuleTests(SystemFixture system)
{
    private const string ShopOrigin = "https://shop.example.com";

    private static HttpRequestMessage Create(string appId, string? origin = null, (string Id, string Secret)? credentials = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId, identitySource = Tenant.Source }) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (credentials is { } c) request.Headers.Authorization = Api.AppCredentials(c.Id, c.Secret);
        return request;
    }

    private static string? AllowedOrigin(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;

    private async Task<(Tenant Tenant, TicketCreated Ticket, string Code)> ConfirmedTicketAsync(string[]? origins = null)
    {
        var tenant = await system.CreateTenantAsync(allowedOrigins: origins);
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null)));
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken)).StatusCode);
        return (tenant, ticket, (await Api.StatusAsync(system.A, ticket.TicketId)).ExchangeCode!);
    }

    [Fact]
    public async Task A_ticket_requested_without_a_browser_origin_needs_the_applications_secret()
    {
        var tenant = await system.CreateTenantAsync(allowedOrigins: ["https://shop.example.com"]);
        var stranger = await system.CreateTenantAsync();

        await Api.ProblemAsync(await system.A.SendAsync(Create(tenant.AppId)), HttpStatusCode.Unauthorized, "credentials_required");
        await Api.ProblemAsync(await system.A.SendAsync(Create(tenant.AppId, credentials: (tenant.AppId, "wrong-secret"))),
            HttpStatusCode.Unauthorized, "app_credentials_invalid");
        // Another application's valid credentials do not open this one.
        await Api.ProblemAsync(await system.A.SendAsync(Create(tenant.AppId, credentials: (stranger.AppId, stranger.AppSecret))),
            HttpStatusCode.Unauthorized, "app_credentials_invalid");
        Assert.Equal(HttpStatusCode.Created, (await system.A.SendAsync(Create(tenant.AppId, credentials: (tenant.AppId, tenant.AppSecret)))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await system.A.SendAsync(Create(tenant.AppId, origin: "https://shop.example.com"))).StatusCode);
        await Api.ProblemAsync(await system.A.SendAsync(Create(tenant.AppId, origin: "https://phish.example")), HttpStatusCode.Forbidden, "origin_not_allowed");
    }

    [Fact]
    public async Task Gene_refuses_a_page_whose_origin_the_application_does_not_allow()
    {
        var tenant = await system.CreateTenantAsync(allowedOrigins: [AuthingQrContractTests.Origin]);
        var request = AuthingQrContractTests.Request(HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH" }, origin: "https://phish.example");
        await AuthingQrContractTests.AssertRefusedAsync(await system.A.SendAsync(request), 403, "origin_not_allowed");
    }

    [Fact]
    public async Task Gene_without_an_Origin_is_a_backend_and_needs_the_app_secret()
    {
        var tenant = await system.CreateTenantAsync(allowedOrigins: [AuthingQrContractTests.Origin]);
        var anonymous = AuthingQrContractTests.Request(HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH" }, origin: null);
        var (code, _, data) = await AuthingQrContractTests.ReadAsync(await system.A.SendAsync(anonymous));
        Assert.NotEqual(200, code);
        Assert.Equal(FailureCodes.AppCredentialsInvalid, data!["error"]!.GetValue<string>());

        var wrong = AuthingQrContractTests.Request(HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH" }, origin: null);
        wrong.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant.AppId}:not-the-secret")));
        Assert.Equal(FailureCodes.AppCredentialsInvalid, (await AuthingQrContractTests.ReadAsync(await system.A.SendAsync(wrong))).Data!["error"]!.GetValue<string>());

        var backend = AuthingQrContractTests.Request(HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH" }, origin: null);
        backend.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant.AppId}:{tenant.AppSecret}")));
        Assert.Equal(200, (await AuthingQrContractTests.ReadAsync(await system.A.SendAsync(backend))).Code);
    }

    [Fact]
    public async Task A_ticket_is_readable_cross_origin_only_from_its_own_applications_origins()
    {
        const string other = "https://other-tenant.example";
        await system.CreateTenantAsync(allowedOrigins: [other]); // another tenant lists its own origin
        var (tenant, ticket, code) = await ConfirmedTicketAsync([ShopOrigin]);

        async Task<string?> AllowedFor(HttpMethod method, string path, string origin, object? body = null, bool browserSecret = false)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Add("Origin", origin);
            if (body is not null) request.Content = JsonContent.Create(body);
            if (browserSecret) request.Headers.Add("X-Browser-Secret", ticket.BrowserSecret);
            using var response = await system.A.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}");
            return AllowedOrigin(response);
        }

        foreach (var path in new[] { $"/api/tickets/{ticket.TicketId}", $"/api/tickets/{ticket.TicketId}/wait?version=0&timeout=0",
                     $"/api/tickets/{ticket.TicketId}/events" })
        {
            Assert.Null(await AllowedFor(HttpMethod.Get, path, other));
            Assert.Equal(ShopOrigin, await AllowedFor(HttpMethod.Get, path, ShopOrigin));
        }
        var created = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = tenant.AppId, identitySource = Tenant.Source }) };
        created.Headers.Add("Origin", ShopOrigin);
        Assert.Equal(ShopOrigin, AllowedOrigin(await system.A.SendAsync(created)));
        Assert.Equal(ShopOrigin, await AllowedFor(HttpMethod.Post, "/api/tickets/exchange", ShopOrigin, new { code }, browserSecret: true));
    }
}
