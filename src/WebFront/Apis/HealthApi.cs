using Microsoft.AspNetCore.Http.HttpResults;

namespace ScanLogin.WebFront.Apis;

/// <summary>Liveness of this process and readiness of the cluster behind it.</summary>
public static class HealthApi
{
    public sealed record Health(string Status, int? ActiveSilos = null);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new Health("ok"))).WithTags("Health").WithName("Live");
        app.MapGet("/readyz", ReadyAsync).WithTags("Health").WithName("Ready");
        return app;
    }

    /// <summary>
    /// Ready once a silo answers. Until then 503, whatever the client says on the way: not connected yet, no gateway,
    /// a timeout, or (connected before it has the cluster's grain types) no implementation of IManagementGrain. The
    /// client keeps reconnecting and refreshing its view of the cluster, so readiness follows without a restart.
    /// </summary>
    internal static async Task<Results<Ok<Health>, ProblemHttpResult>> ReadyAsync(IClusterClient cluster, CancellationToken ct)
    {
        try
        {
            var hosts = await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), ct);
            if (hosts.Count > 0) return TypedResults.Ok(new Health("ready", hosts.Count));
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or InvalidOperationException or ArgumentException)
        {
        }
        return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "cluster_unavailable", "No silo of the cluster answers.");
    }
}
