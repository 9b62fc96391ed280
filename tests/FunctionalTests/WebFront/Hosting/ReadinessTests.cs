using System.Net;
using System.Text.Json;
using Xunit;

namespace ScanLogin.FunctionalTests.Hosting;

/// <summary>/readyz: 503 in the one problem shape until a silo answers, then ready, without restarting the front end.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task A_front_end_started_before_the_cluster_answers_503_then_becomes_ready_without_a_restart()
    {
        await using var system = new FrontEndFirst();
        var before = await system.FirstAnswerAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
        Assert.Equal("cluster_unavailable", JsonDocument.Parse(await before.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        await system.StartSiloAsync();
        var seen = new List<HttpStatusCode>();
        for (var i = 0; i < 600; i++)
        {
            var answer = await system.Http.GetAsync("/readyz");
            seen.Add(answer.StatusCode);
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"/readyz answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
            if (answer.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(100);
        }
        Assert.Fail($"/readyz never became ready after the silo started; answers: {string.Join(", ", seen.Distinct())}");
    }
}
