using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Hosting;

/// <summary>Makes every error the framework itself produces (bad JSON, oversized body, unknown route, a crash) use the one JSON shape.</summary>
public static class ErrorHandling
{
    public static IServiceCollection AddJsonProblems(this IServiceCollection services) =>
        services.AddSingleton<IProblemDetailsWriter, JsonProblemWriter>().AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", ApiProblems.CodeOf(status));
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
            if (status == 400) context.ProblemDetails.Detail ??= "The request could not be read: check that the body is valid JSON with the expected fields.";
            // Never echo exception text to clients; it is logged instead.
            if (status >= 500) context.ProblemDetails.Detail = status == 503 ? "The service is temporarily unavailable; try again." : "An unexpected error occurred.";
        });

    /// <summary>A cluster that cannot be reached is a 503 the client may retry; anything else unexpected is a 500.</summary>
    public static int StatusOf(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        UnsafeGrainKeyException => StatusCodes.Status400BadRequest,
        // The database restarting under a grain call is as temporary as an unreachable silo: the client may retry.
        OrleansException or TimeoutException or System.Data.Common.DbException => StatusCodes.Status503ServiceUnavailable,
        // A cluster client just connected, before it has learned the cluster's grain types, cannot resolve any grain
        // (Orleans' GetGrain throws ArgumentException): the cluster is not reachable yet, as above.
        ArgumentException { Source: "Orleans.Core" } => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
