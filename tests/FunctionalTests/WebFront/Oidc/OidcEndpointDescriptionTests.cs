using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The OpenAPI document the front end serves describes the pool's session, direct-link and branding endpoints: each with
/// its operation id (what client generators name their methods after) and a summary saying what it does.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class OidcEndpointDescriptionTests(SystemFixture system)
{
    [Theory]
    [InlineData("/oidc/{poolId}/revoke", "post", "Revoke", "Token revocation (RFC 7009)", "client_secret_basic")]
    [InlineData("/oidc/{poolId}/end_session", "get", "EndSession", "RP-initiated logout", null)]
    [InlineData("/oidc/{poolId}/end_session", "post", "EndSessionForm", "RP-initiated logout", null)]
    [InlineData("/oidc/{poolId}/connections/{identifier}", "get", "ConnectionLogin", "direct login link", "redeemed at the token endpoint")]
    [InlineData("/oidc/{poolId}/branding/{appId}.css", "get", "GetBrandingStylesheet", "branding stylesheet", null)]
    [InlineData("/oidc/{poolId}/branding/{appId}/logo/{hash}.png", "get", "GetApplicationBrandingLogo", "branding logo", null)]
    [InlineData("/oidc/{poolId}/branding/{appId}/preview", "get", "PreviewBranding", "without a login", null)]
    [InlineData("/oidc/{poolId}/branding/logo/{hash}.png", "get", "GetPoolBrandingLogo", "pool's uploaded branding logo", null)]
    public async Task Each_endpoint_is_described_with_its_operation_id_and_what_it_does(string path, string method, string operationId,
        string summarySays, string? descriptionSays)
    {
        var document = JsonNode.Parse(await system.A.GetStringAsync("/openapi/v1.json"))!;
        var operation = document["paths"]?[path]?[method];
        Assert.True(operation is not null, $"{method.ToUpperInvariant()} {path} is not in the document; paths: {string.Join(", ", document["paths"]!.AsObject().Select(p => p.Key).Where(p => p.StartsWith("/oidc", StringComparison.Ordinal)))}");
        Assert.Equal(operationId, operation["operationId"]?.GetValue<string>());
        Assert.Contains(summarySays, operation["summary"]?.GetValue<string>() ?? "");
        if (descriptionSays is not null) Assert.Contains(descriptionSays, operation["description"]?.GetValue<string>() ?? "");
    }
}
