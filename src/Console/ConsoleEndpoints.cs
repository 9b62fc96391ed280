namespace ScanLogin.OperatorConsole;

/// <summary>The console's few non-page endpoints: images the admin API serves behind the key, fetched for the signed-in operator.</summary>
public static class ConsoleEndpoints
{
    public static IEndpointRouteBuilder MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/pools/{poolId}/identity-sources/{identifier}/logo.png", async (string poolId, string identifier, AdminClient admin) =>
                await admin.GetBytesAsync($"pools/{Uri.EscapeDataString(poolId)}/identity-sources/{Uri.EscapeDataString(identifier)}/logo") is { } png
                    ? Results.File(png, "image/png")
                    : Results.NotFound())
            .RequireAuthorization();
        // The sample code with the source's logo, as the admin API draws it (the console asks for one size only).
        app.MapGet("/pools/{poolId}/identity-sources/{identifier}/qr-preview.png", async (string poolId, string identifier, AdminClient admin, HttpContext http) =>
            {
                if (await admin.GetBytesAsync($"pools/{Uri.EscapeDataString(poolId)}/identity-sources/{Uri.EscapeDataString(identifier)}/qr-preview?size=320") is not { } png)
                    return Results.NotFound();
                http.Response.Headers.CacheControl = "private, max-age=60";
                return Results.File(png, "image/png");
            })
            .RequireAuthorization();
        // The Try login's status for the page's script: read through the admin API with the operator's key.
        app.MapGet("/pools/{poolId}/applications/{appId}/try-login/{tryLoginId}", async (string poolId, string appId, string tryLoginId, AdminClient admin, HttpContext http) =>
            {
                var answer = await admin.GetAsync($"pools/{Uri.EscapeDataString(poolId)}/applications/{Uri.EscapeDataString(appId)}/try-login/{Uri.EscapeDataString(tryLoginId)}");
                http.Response.Headers.CacheControl = "no-store";
                return Results.Text(answer.Json?.ToJsonString() ?? "{}", "application/json", statusCode: answer.Status);
            })
            .RequireAuthorization();
        return app;
    }
}
