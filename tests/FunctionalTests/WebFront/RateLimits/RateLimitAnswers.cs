using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Reads an abuse limit's refusal: 429 in the JSON problem shape, with Retry-After and the body's retryAfter equal to it.</summary>
public static class RateLimitAnswers
{
    /// <summary>The words of a refused ticket creation counted per address and application (native API, Authing gene).</summary>
    public const string TooManyTicketsFromAddress = "Too many tickets from this address for this application.";

    /// <summary>
    /// A 429 of <paramref name="code"/> whose detail is <paramref name="detail"/> (a slow_down's whole detail; a rate_limited's,
    /// followed by the wait it tells; null: a refusal decided on a silo, whose words are the silo's). Returns the body.
    /// </summary>
    public static async Task<JsonNode> TooManyAsync(HttpResponseMessage response, string code, string? detail)
    {
        var problem = await Api.ProblemAsync(response, HttpStatusCode.TooManyRequests, code);
        Assert.NotNull(problem.Detail);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {response.Headers.RetryAfter}");
        var seconds = (int)retryAfter!.Value.TotalSeconds;
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(seconds, body["retryAfter"]!.GetValue<int>());
        if (detail is not null) Assert.Equal(code == "slow_down" ? detail : $"{detail} Retry after {seconds} s.", problem.Detail);
        return body;
    }
}
