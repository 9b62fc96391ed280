using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ScanLogin.WebFront.Hosting;

/// <summary>Declares the admin API's bearer keys in the OpenAPI document, so the reference UI can send one.</summary>
internal sealed class BearerKeysInOpenApi : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A platform key, or a pool key (slk.{poolId}.{keyId}.{secret}) that reaches only its pool. Needed for /admin/v1.",
        };
        document.Info.Title = "ScanLogin";
        document.Info.Description = "Scan a QR code with WeChat to log in on a PC site: tickets (PC), mini-program calls (phone), and the operators' admin API.";
        return Task.CompletedTask;
    }
}
