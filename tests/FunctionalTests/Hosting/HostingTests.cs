using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>What the front end serves besides the API: health, the OpenAPI document and its reference UI.</summary>
[Collection(SystemCollection.Name)]
public sealed class HostingTests(SystemFixture system)
{
    [Fact]
    public async Task Health_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync("/healthz")).StatusCode);
        var ready = JsonNode.Parse(await system.B.GetStringAsync("/readyz"))!;
        Assert.Equal("ready", ready["status"]!.GetValue<string>());
        Assert.Equal(2, ready["activeSilos"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_openapi_document_covers_every_api_and_declares_the_bearer_keys()
    {
        var document = JsonNode.Parse(await system.A.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var path in new[] { "/api/tickets", "/api/tickets/{ticketId}/wait", "/api/tickets/{ticketId}/events", "/api/tickets/exchange",
                     "/api/mini-program/tickets/{ticketId}/confirm", "/api/tickets/{ticketId}/qr.png", "/admin/v1/pools",
                     "/admin/v1/pools/{poolId}/identity-sources", "/admin/v1/pools/{poolId}/identity-sources/{identifier}/logo",
                     "/admin/v1/pools/{poolId}/audit", "/admin/v1/key-ring/rotate" })
            Assert.Contains(path, paths);
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["apiKey"]!["scheme"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync("/docs")).StatusCode);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_use_the_error_shape()
    {
        await Api.ProblemAsync(await system.A.GetAsync("/no/such/route"), HttpStatusCode.NotFound, "not_found");
        await Api.ProblemAsync(await system.A.DeleteAsync("/api/tickets"), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }
}
