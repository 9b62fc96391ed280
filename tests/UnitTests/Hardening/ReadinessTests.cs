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
}
