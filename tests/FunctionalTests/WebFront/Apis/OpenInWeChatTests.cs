using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests.MiniProgram;

/// <summary>GET /api/tickets/{id}/open-in-wechat through the front ends and the emulator: one WeChat link per live ticket.</summary>
[Collection(SystemCollection.Name)]
public sealed class OpenInWeChatTests(SystemFixture system)
{
    private static async Task<JsonNode> LinkAsync(HttpClient http, string ticketId)
    {
        var response = await http.GetAsync($"/api/tickets/{ticketId}/open-in-wechat");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body.ToJsonString()}");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return body;
    }

    private async Task<int> LinksMadeAsync() =>
        (await system.Emulator.Http.GetFromJsonAsync<JsonNode>($"__emulator/links?appId={Scan.EmulatorAppId}"))!["links"]!.AsArray().Count;

    private static class Scan
    {
        public const string EmulatorAppId = ScanLogin.Tests.Shared.EmulatorHost.AppId;
    }

    [Fact]
    public async Task A_ticket_gets_one_url_link_to_the_confirm_page_with_its_id_whichever_front_end_is_asked()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var before = await LinksMadeAsync();
        var link = await LinkAsync(system.A, ticket.TicketId);
        var url = link["url"]!.GetValue<string>();
        Assert.StartsWith("https://wxaurl.cn/", url);
        Assert.True(link["expiresAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddHours(23));
        Assert.Equal(url, (await LinkAsync(system.B, ticket.TicketId))["url"]!.GetValue<string>());
        Assert.Equal(url, (await LinkAsync(system.A, ticket.TicketId))["url"]!.GetValue<string>());
        Assert.Equal(before + 1, await LinksMadeAsync());

        var landing = (await system.Emulator.Http.GetFromJsonAsync<JsonNode>($"__emulator/links/open?url={Uri.EscapeDataString(url)}"))!;
        Assert.Equal(("pages/confirm/confirm", "ticket=" + ticket.TicketId, "release"),
            (landing["path"]!.GetValue<string>(), landing["query"]!.GetValue<string>(), landing["envVersion"]!.GetValue<string>()));

        // Scanned still waits for the phone; once confirmed there is nothing left to open.
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync()));
        Assert.Equal(url, (await LinkAsync(system.A, ticket.TicketId))["url"]!.GetValue<string>());
        (await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken)).EnsureSuccessStatusCode();
        await Api.StatusAfterAsync(system.A, ticket.TicketId, scan.Ticket.Version);
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/open-in-wechat"), HttpStatusCode.Conflict, "invalid_transition");
    }

    [Fact]
    public async Task Unknown_malformed_and_expired_tickets_get_no_link()
    {
        await Api.ProblemAsync(await system.A.GetAsync("/api/tickets/not-a-ticket/open-in-wechat"), HttpStatusCode.BadRequest, "malformed_ticket_id");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{new string('A', 22)}/open-in-wechat"), HttpStatusCode.NotFound, "ticket_not_found");

        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        system.Time.Advance(TimeSpan.FromSeconds(121));
        await Api.ProblemAsync(await system.B.GetAsync($"/api/tickets/{ticket.TicketId}/open-in-wechat"), HttpStatusCode.Gone, "ticket_expired");
    }

    [Fact]
    public async Task WeChat_refusing_a_link_is_a_clear_error_and_the_next_request_tries_again()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        await system.Emulator.FaultAsync("generate_urllink", 45009);
        var refused = await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/open-in-wechat");
        await Api.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "wechat_rate_limited");
        await system.Emulator.FaultAsync("generate_urllink", 40165);
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/open-in-wechat"), HttpStatusCode.BadGateway, "wechat_misconfigured");
        Assert.StartsWith("https://wxaurl.cn/", (await LinkAsync(system.A, ticket.TicketId))["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_disabled_identity_source_makes_no_link()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var source = system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IIdentitySourceGrain>(
            ScanLogin.Grains.Interfaces.IdentitySourceSettings.KeyOf(tenant.PoolId, Tenant.Source));
        await source.SaveAsync((await source.GetAsync())! with { Enabled = false }, null);
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/open-in-wechat"), HttpStatusCode.Forbidden, "identity_source_disabled");
    }
}
