namespace ScanLogin.WebFront.Admin;

/// <summary>The operators' API under /admin/v1, behind bearer API keys (checked first, by <see cref="AdminAuth.UseAdminAuthentication"/>).</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/v1").RequireCors(Hosting.BrowserCors.AdminPolicyName);
        admin.MapPoolsApi().MapApplicationsApi().MapIdentitySourcesApi().MapPoolDataApi().MapUsersApi().MapKeyRingApi().MapSigningKeysApi().MapTryLoginApi().MapDomainsApi().MapUserSessionsApi();
        admin.MapBrandingLogosApi();
        app.MapTryLoginCallback();
        return app;
    }
}
