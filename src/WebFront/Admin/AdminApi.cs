namespace ScanLogin.WebFront.Admin;

/// <summary>The operators' API under /admin/v1, behind bearer API keys.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/v1").AddEndpointFilter(AdminAuth.RequireOperatorAsync);
        admin.MapPoolsApi().MapApplicationsApi().MapIdentitySourcesApi().MapPoolDataApi().MapKeyRingApi().MapSigningKeysApi();
        return app;
    }
}
