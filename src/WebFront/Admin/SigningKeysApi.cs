using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>A pool's token signing keys: their timings, and rotation. Key material never appears here.</summary>
public static class SigningKeysApi
{
    public sealed record RotateSigningKeyRequest(string? Algorithm);

    public static RouteGroupBuilder MapSigningKeysApi(this RouteGroupBuilder admin)
    {
        var keys = admin.MapGroup("/pools/{poolId}/signing-keys").WithTags("Admin: signing keys");
        keys.MapGet("/", ListAsync).WithName("ListSigningKeys")
            .WithSummary("The pool's signing keys, newest first: `next` (published, signs after the propagation delay), `current`, `retired` (verifies until `publishedUntil`)");
        keys.MapPost("/rotate", RotateAsync).WithName("RotateSigningKey")
            .WithSummary("Add a key (`algorithm` ES256 or RS256, default from configuration): published now, signing after ScanLogin:Oidc:KeyPropagationDelay");
        return admin;
    }

    private static async Task<Results<Ok<SigningKeyView[]>, ProblemHttpResult>> ListAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        var listed = await cluster.GetGrain<IPoolSigningKeysGrain>(poolId).ListAsync();
        return listed.Value is { } views ? TypedResults.Ok(views) : AdminHttp.Problem(listed.Failure!);
    }

    private static async Task<Results<Ok<SigningKeyView[]>, ProblemHttpResult>> RotateAsync(string poolId, HttpContext http, IClusterClient cluster, RotateSigningKeyRequest? request = null)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        if (request?.Algorithm is { } algorithm && !SigningAlgorithms.IsSupported(algorithm))
            return ApiProblems.Invalid("algorithm", $"One of: {string.Join(", ", SigningAlgorithms.All)}.");
        var rotated = await cluster.GetGrain<IPoolSigningKeysGrain>(poolId).RotateAsync(request?.Algorithm, http.GetOperator().Actor);
        if (rotated.Value is { } views) return TypedResults.Ok(views);
        return rotated.Failure!.Code == TokenFailureCodes.RotationPending
            ? ApiProblems.Problem(StatusCodes.Status409Conflict, rotated.Failure.Code, rotated.Failure.Message)
            : AdminHttp.Problem(rotated.Failure);
    }
}
