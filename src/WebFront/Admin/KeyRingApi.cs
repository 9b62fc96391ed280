using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>The secret-encryption key ring: its state and rotation (platform key only).</summary>
public static class KeyRingApi
{
    public static RouteGroupBuilder MapKeyRingApi(this RouteGroupBuilder admin)
    {
        var ring = admin.MapGroup("/key-ring").WithTags("Admin: key ring");
        ring.MapGet("/", (HttpContext http, IClusterClient cluster) => Platform(http, () => cluster.GetGrain<ISecretKeyRingGrain>(0).GetStatusAsync()))
            .WithName("GetKeyRing");
        ring.MapPost("/rotate", (HttpContext http, IClusterClient cluster) => Platform(http, () => cluster.GetGrain<ISecretKeyRingGrain>(0).RotateAsync()))
            .WithName("RotateKeyRing").WithSummary("Add a new data key: new secrets use it, older ones stay readable");
        return admin;
    }

    private static async Task<Results<Ok<KeyRingStatus>, ProblemHttpResult>> Platform(HttpContext http, Func<Task<KeyRingStatus>> action) =>
        http.GetOperator().IsPlatform
            ? TypedResults.Ok(await action())
            : ApiProblems.Problem(StatusCodes.Status403Forbidden, "platform_key_required", "Only the platform key may do this.");
}
