using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.WebFront.Apis;
using Xunit;

namespace ScanLogin.UnitTests.Hardening;

/// <summary>/readyz never answers 500 on what a cluster client says while it is still finding the cluster.</summary>
public sealed class ReadinessTests
{
    /// <summary>A client connected before it has the cluster's grain types: GetGrain throws, as Orleans' client does then.</summary>
    public class ClientWithoutTheClustersGrainTypes : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new ArgumentException("Could not find an implementation for interface Orleans.Runtime.IManagementGrain");
    }

    [Fact]
    public async Task A_client_that_does_not_know_the_management_grain_yet_is_not_ready_rather_than_failing()
    {
        var client = DispatchProxy.Create<IClusterClient, ClientWithoutTheClustersGrainTypes>();
        var answer = await HealthApi.ReadyAsync(client, CancellationToken.None);
        var problem = Assert.IsType<ProblemHttpResult>(answer.Result);
        Assert.Equal(503, problem.StatusCode);
        Assert.Equal("cluster_unavailable", problem.ProblemDetails.Extensions["code"]?.ToString());
    }

    [Fact]
    public void Any_request_that_meets_a_client_without_the_clusters_grain_types_is_a_retryable_503()
    {
        var client = DispatchProxy.Create<IClusterClient, ClientWithoutTheClustersGrainTypes>();
        var thrown = Assert.Throws<ArgumentException>(() => client.GetGrain<IManagementGrain>(0));
        thrown.Source = "Orleans.Core"; // where Orleans' own resolver throws it from
        Assert.Equal(503, ScanLogin.WebFront.Hosting.ErrorHandling.StatusOf(thrown));
        Assert.Equal(500, ScanLogin.WebFront.Hosting.ErrorHandling.StatusOf(new ArgumentException("a bug of ours")));
    }
}
