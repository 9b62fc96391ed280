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
    public async Task Every_operation_of_the_openapi_document_has_its_own_operation_id()
    {
        // OpenAPI requires operation ids unique in a document; client generators name their methods after them.
        var document = JsonNode.Parse(await system.A.GetStringAsync("/openapi/v1.json"))!;
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(op => op.Value?["operationId"] is not null)
                .Select(op => (Operation: $"{op.Key.ToUpperInvariant()} {path.Key}", Id: op.Value!["operationId"]!.GetValue<string>())))
            .ToList();
        var repeated = operations.GroupBy(o => o.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(o => o.Operation))}").ToList();
        Assert.True(repeated.Count == 0, "operation ids used more than once: " + string.Join("; ", repeated));
        Assert.Contains(operations, o => o is { Operation: "POST /oidc/{poolId}/authorize", Id: "AuthorizeForm" });
    }

    [Fact]
    public async Task Unknown_routes_and_methods_use_the_error_shape()
    {
        await Api.ProblemAsync(await system.A.GetAsync("/no/such/route"), HttpStatusCode.NotFound, "not_found");
        await Api.ProblemAsync(await system.A.DeleteAsync("/api/tickets"), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }
}
