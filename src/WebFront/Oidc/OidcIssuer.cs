namespace ScanLogin.WebFront.Oidc;

/// <summary>Where the provider lives: "ScanLogin:PublicBaseUrl" when set (behind a proxy), else the request's own scheme and host.</summary>
public static class OidcIssuer
{
    public static string BaseUrl(HttpRequest request)
    {
        var configured = request.HttpContext.RequestServices.GetRequiredService<IConfiguration>()["ScanLogin:PublicBaseUrl"];
        return (configured is { Length: > 0 } ? configured : $"{request.Scheme}://{request.Host}").TrimEnd('/');
    }

    /// <summary>The issuer of one pool: {public base URL}/oidc/{poolId}.</summary>
    public static string Of(HttpRequest request, string poolId) => $"{BaseUrl(request)}/oidc/{Uri.EscapeDataString(poolId)}";
}
