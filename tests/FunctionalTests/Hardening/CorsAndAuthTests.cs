using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ScanLogin.FunctionalTests.Admin;
using Xunit;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>CORS and authentication as an attacker probes them: preflights, the admin API, and per-application origins.</summary>
[Collection(SystemCollection.Name)]
public sealed class CorsAndAuthTests(SystemFixture system)
{
    private const string ShopOrigin = "https://shop.example.com";

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

    [Theory]
    [InlineData("https://not-allowed.example")]
    [InlineData(ShopOrigin)]
    public async Task A_preflight_never_runs_the_handler_whatever_its_origin(string origin)
    {
        var (_, ticket, code) = await ConfirmedTicketAsync([ShopOrigin]);
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/tickets/exchange") { Content = JsonContent.Create(new { code }) };
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-browser-secret");
        preflight.Headers.Add("X-Browser-Secret", ticket.BrowserSecret);
        var answer = await system.A.SendAsync(preflight);

        Assert.True(answer.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK, $"{(int)answer.StatusCode}");
        Assert.Empty(await answer.Content.ReadAsByteArrayAsync());
        Assert.Equal(origin == ShopOrigin ? ShopOrigin : null, AllowedOrigin(answer));
        // Allowed or not, the answer depends on the Origin: caches must not hand one origin's answer to another.
        Assert.Contains("Origin", answer.Headers.Vary);
        Assert.Equal("confirmed", (await Api.StatusAsync(system.A, ticket.TicketId)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.ExchangeAsync(system.A, code, ticket.BrowserSecret)).StatusCode);
    }

    [Fact]
    public async Task Admin_requests_are_authenticated_before_anything_is_read()
    {
        var unreadable = new StringContent("{\"id\": ", Encoding.UTF8, "application/json");
        await Api.ProblemAsync(await system.A.PostAsync("/admin/v1/pools", unreadable), HttpStatusCode.Unauthorized, "unauthorized");
        // Expect: 100-continue, as clients send large uploads: a server that answers before reading gets no body at all,
        // so the answer cannot race a connection reset caused by an unread body larger than the server accepts.
        var huge = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/pools")
        {
            Content = new StringContent("{\"name\":\"" + new string('x', 64 * 1024) + "\"}", Encoding.UTF8, "application/json"),
        };
        huge.Headers.ExpectContinue = true;
        await Api.ProblemAsync(await system.A.SendAsync(huge), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.ProblemAsync(await system.A.PostAsync("/admin/v1/pools", new StringContent("x", Encoding.UTF8, "text/plain")),
            HttpStatusCode.Unauthorized, "unauthorized");
        var patch = new HttpRequestMessage(HttpMethod.Patch, "/admin/v1/pools/any/applications/any") { Content = new StringContent("{\"name\":\"a\",\"name\":\"b\"}", Encoding.UTF8, "application/json") };
        patch.Headers.Authorization = new("Bearer", "slk.any.key.wrong");
        await Api.ProblemAsync(await system.A.SendAsync(patch), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.ProblemAsync(await system.A.GetAsync("/admin/v1/no-such-route"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_admin_api_has_no_cors_for_origins_tenants_list()
    {
        // A tenant lists an origin on its own application: that must open nothing of the admin API.
        await system.CreateTenantAsync(allowedOrigins: ["https://tenant-page.example"]);
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/admin/v1/key-ring/rotate");
        preflight.Headers.Add("Origin", "https://tenant-page.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        var answer = await system.A.SendAsync(preflight);
        Assert.Null(AllowedOrigin(answer));
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Credentials"));

        using var platform = system.Operator(system.PlatformKey);
        var read = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/key-ring");
        read.Headers.Add("Origin", "https://tenant-page.example");
        var response = await platform.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(AllowedOrigin(response));
    }

    [Fact]
    public async Task The_admin_api_allows_only_the_origins_the_platform_configured()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/admin/v1/pools");
        preflight.Headers.Add("Origin", SystemFixture.AdminConsoleOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        var answer = await system.A.SendAsync(preflight);
        Assert.Equal(SystemFixture.AdminConsoleOrigin, AllowedOrigin(answer));
        Assert.Contains("Origin", answer.Headers.Vary);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Credentials")); // bearer keys, never cookies

        using var platform = system.Operator(system.PlatformKey);
        var read = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/pools");
        read.Headers.Add("Origin", SystemFixture.AdminConsoleOrigin);
        Assert.Equal(SystemFixture.AdminConsoleOrigin, AllowedOrigin(await platform.SendAsync(read)));
    }
}
