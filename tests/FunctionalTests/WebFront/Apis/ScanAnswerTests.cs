using System.Net;
using System.Text.Json.Nodes;
using ScanLogin.FunctionalTests.Admin;
using Xunit;

namespace ScanLogin.FunctionalTests.MiniProgram;

/// <summary>
/// What the mini program's confirm page shows comes from the scan answer: the application's logo is the application's own
/// <c>logoUrl</c> (set through the admin API), so the phone shows the same picture as the hosted login page.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ScanAnswerTests(SystemFixture system)
{
    [Fact]
    public async Task The_scan_answer_carries_the_applications_logo_url_as_the_admin_set_it()
    {
        var tenant = await system.CreateTenantAsync();
        using var admin = new AdminClient(system.Operator(system.PlatformKey));
        await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{tenant.PoolId}/applications/{tenant.AppId}", new { logoUrl = "https://shop.example/brand/logo.png" });

        var answer = await ScanAsync(tenant);

        Assert.Equal("https://shop.example/brand/logo.png", answer["appLogoUrl"]!.GetValue<string>());
        Assert.Equal("Functional test site", answer["appName"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_application_without_a_logo_answers_a_null_appLogoUrl()
    {
        var tenant = await system.CreateTenantAsync();

        var answer = await ScanAsync(tenant);

        Assert.True(answer.AsObject().ContainsKey("appLogoUrl"), answer.ToJsonString());
        Assert.Null(answer["appLogoUrl"]);
    }

    [Fact]
    public async Task A_logo_changed_after_the_ticket_was_made_is_the_one_the_phone_sees()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        using var admin = new AdminClient(system.Operator(system.PlatformKey));
        await admin.OkAsync(HttpMethod.Patch, $"/admin/v1/pools/{tenant.PoolId}/applications/{tenant.AppId}", new { logoUrl = "https://shop.example/new.png" });

        var answer = await ScanAsync(tenant, ticket.TicketId);

        Assert.Equal("https://shop.example/new.png", answer["appLogoUrl"]!.GetValue<string>());
    }

    private async Task<JsonNode> ScanAsync(Tenant tenant, string? ticketId = null)
    {
        ticketId ??= (await Api.CreateTicketAsync(system.A, tenant)).TicketId;
        var response = await Api.ScanAsync(system.B, ticketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
