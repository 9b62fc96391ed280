using System.Net;
using System.Net.Http.Json;
using System.Text;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Every bad request gets a 4xx in the one JSON shape, and changes nothing.</summary>
[Collection(SystemCollection.Name)]
public sealed class BadInputTests(SystemFixture system)
{
    [Fact]
    public async Task An_unknown_ticket_is_404_on_every_route()
    {
        var id = Secrets.NewId();
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{id}"), HttpStatusCode.NotFound, "ticket_not_found");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{id}/wait?timeout=1"), HttpStatusCode.NotFound, "ticket_not_found");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{id}/events"), HttpStatusCode.NotFound, "ticket_not_found");
        await Api.ProblemAsync(await Api.ScanAsync(system.A, id, "code"), HttpStatusCode.NotFound, "ticket_not_found");
        await Api.ProblemAsync(await Api.ExchangeAsync(system.A, id + ".x", "secret"), HttpStatusCode.NotFound, "ticket_not_found");
    }

    [Theory]
    [InlineData("short")]
    [InlineData("this-id-is-far-too-long-to-be-a-ticket-id")]
    [InlineData("bad!chars*here~~~~~~~~")]
    public async Task A_malformed_ticket_id_is_400(string id)
    {
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{Uri.EscapeDataString(id)}"), HttpStatusCode.BadRequest, "malformed_ticket_id");
        await Api.ProblemAsync(await Api.ScanAsync(system.A, Uri.EscapeDataString(id), "code"), HttpStatusCode.BadRequest, "malformed_ticket_id");
    }

    [Fact]
    public async Task Confirm_before_scan_is_409_and_the_ticket_stays_pending()
    {
        var created = await Api.CreateTicketAsync(system.A, await system.CreateTenantAsync());
        await Api.ProblemAsync(await Api.ConfirmAsync(system.B, created.TicketId, "made-up-token"), HttpStatusCode.Conflict, "invalid_transition");
        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal(("pending", 1), (status.Status, status.Version));
    }

    [Fact]
    public async Task A_replayed_wechat_code_is_409_and_the_second_ticket_is_untouched()
    {
        var tenant = await system.CreateTenantAsync();
        var first = await Api.CreateTicketAsync(system.A, tenant);
        var second = await Api.CreateTicketAsync(system.A, tenant);
        var code = await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync());
        await Api.ScanOkAsync(system.B, first.TicketId, code);

        await Api.ProblemAsync(await Api.ScanAsync(system.B, second.TicketId, code), HttpStatusCode.Conflict, "wechat_code_used");
        await Api.ProblemAsync(await Api.ScanAsync(system.B, second.TicketId, "never-issued"), HttpStatusCode.BadRequest, "wechat_code_invalid");
        var status = await Api.StatusAsync(system.A, second.TicketId);
        Assert.Equal(("pending", 1), (status.Status, status.Version));
    }

    [Fact]
    public async Task Malformed_and_oversized_json_are_refused_with_the_error_shape()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);

        var malformed = await system.A.PostAsync("/api/tickets", new StringContent("{\"appId\": ", Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(malformed, HttpStatusCode.BadRequest, "malformed_request");

        var wrongTypes = await system.A.PostAsync($"/api/mini-program/tickets/{created.TicketId}/scan",
            new StringContent("{\"loginCode\": 42}", Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(wrongTypes, HttpStatusCode.BadRequest, "malformed_request");

        var huge = "{\"loginCode\":\"" + new string('x', 64 * 1024) + "\"}";
        var oversized = await system.A.PostAsync($"/api/mini-program/tickets/{created.TicketId}/scan", new StringContent(huge, Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(oversized, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        var missing = await system.A.PostAsJsonAsync("/api/tickets", new { appId = tenant.AppId });
        var problem = await Api.ProblemAsync(missing, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("identitySource", problem.Detail);

        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal(("pending", 1), (status.Status, status.Version));
    }

    [Fact]
    public async Task Bad_long_poll_parameters_and_exchange_credentials_are_4xx()
    {
        var created = await Api.CreateTicketAsync(system.A, await system.CreateTenantAsync());
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{created.TicketId}/wait?timeout=61"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{created.TicketId}/wait?version=-1"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ProblemAsync(await system.A.PostAsJsonAsync("/api/tickets/exchange", new { code = created.TicketId + ".x" }),
            HttpStatusCode.Unauthorized, "credentials_required");
        await Api.ProblemAsync(await Api.ExchangeAsync(system.A, "not-a-code", "s"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ProblemAsync(await Api.ExchangeAsync(system.A, created.TicketId + ".x", created.BrowserSecret), HttpStatusCode.BadRequest, "exchange_code_invalid");
    }

    [Fact]
    public async Task An_unknown_application_cannot_create_a_ticket()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = "no-such-app", identitySource = "wechat" }) };
        request.Headers.Authorization = Api.AppCredentials("no-such-app", "any-secret");
        var response = await system.A.SendAsync(request);
        await Api.ProblemAsync(response, HttpStatusCode.NotFound, "application_not_found");
    }
}
