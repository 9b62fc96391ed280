using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Observability;
using ScanLogin.WebFront.RateLimits;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

/// <summary>
/// The abuse limits' own rules, without a cluster: which application ids name a bucket, which address a limit counts,
/// how a refusal is told (message, Retry-After, problem fields, the metric's labels) and what registration binds.
/// </summary>
public sealed class AbuseLimitRulesTests
{
    [Theory]
    [InlineData("app-1", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("a\u0001b", false)]
    [InlineData("\n", false)]
    public void Only_a_plausible_application_id_names_a_bucket(string appId, bool plausible) =>
        Assert.Equal(plausible, AbuseLimits.IsPlausibleAppId(appId));

    [Fact]
    public void An_application_id_names_a_bucket_up_to_64_characters()
    {
        Assert.True(AbuseLimits.IsPlausibleAppId(new string('a', 64)));
        Assert.False(AbuseLimits.IsPlausibleAppId(new string('a', 65)));
    }

    [Fact]
    public void Ipv4_clients_count_per_address_and_ipv6_clients_per_64()
    {
        Assert.Equal("198.51.100.7", AbuseLimits.ClientKey(IPAddress.Parse("198.51.100.7")));
        Assert.Equal("203.0.113.7", AbuseLimits.ClientKey(IPAddress.Parse("::ffff:203.0.113.7")));
        Assert.Equal("2001:db8:1:2::/64", AbuseLimits.ClientKey(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.Equal(AbuseLimits.ClientKey(IPAddress.Parse("2001:db8:1:2::1")), AbuseLimits.ClientKey(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(AbuseLimits.ClientKey(IPAddress.Parse("2001:db8:1:2::1")), AbuseLimits.ClientKey(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal("unknown", AbuseLimits.ClientKey((IPAddress?)null));
        Assert.Equal("unknown", AbuseLimits.ClientKey(new DefaultHttpContext()));
    }

    [Fact]
    public void A_refusal_says_when_to_come_back_rounded_up_and_a_slow_down_says_its_pace()
    {
        var refused = new RateDecision(false, TimeSpan.FromSeconds(2.1), TimeSpan.FromSeconds(2));
        var limited = new LimitRefusal(AbuseLimits.RateLimited, "Too many.", refused);
        Assert.Equal(3, limited.RetryAfterSeconds);
        Assert.Equal("Too many. Retry after 3 s.", limited.Message);
        var slow = new LimitRefusal(AbuseLimits.SlowDown, "Polling too fast.", refused, 2);
        Assert.Equal("Polling too fast.", slow.Message);
        Assert.Equal(1, new LimitRefusal(AbuseLimits.RateLimited, "x", refused with { RetryAfter = TimeSpan.FromMilliseconds(10) }).RetryAfterSeconds);
    }

    [Fact]
    public void A_refusal_is_a_429_problem_with_retry_after_in_the_header_and_the_body()
    {
        var http = new DefaultHttpContext();
        var refusal = new LimitRefusal(AbuseLimits.SlowDown, "Polling too fast.", new RateDecision(false, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(5)), 5);
        var problem = refusal.ToProblem(http, new Dictionary<string, object?> { ["error"] = "slow_down" });
        Assert.Equal(StatusCodes.Status429TooManyRequests, problem.StatusCode);
        Assert.Equal("5", http.Response.Headers.RetryAfter.ToString());
        Assert.Equal("Polling too fast.", problem.ProblemDetails.Detail);
        Assert.Equal(AbuseLimits.SlowDown, problem.ProblemDetails.Extensions["code"]);
        Assert.Equal(5, problem.ProblemDetails.Extensions["retryAfter"]);
        Assert.Equal(5, problem.ProblemDetails.Extensions["interval"]);
        Assert.Equal("slow_down", problem.ProblemDetails.Extensions["error"]);

        var limited = new LimitRefusal(AbuseLimits.RateLimited, "Too many.", new RateDecision(false, TimeSpan.FromSeconds(9), TimeSpan.Zero)).ToProblem(new DefaultHttpContext());
        Assert.False(limited.ProblemDetails.Extensions.ContainsKey("interval"));
    }

    [Fact]
    public void Each_refusal_is_counted_under_its_endpoints_name_else_its_route_else_as_operator()
    {
        var code = "test-" + Guid.NewGuid().ToString("N");
        var seen = new List<string?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == FrontEndMetrics.MeterName && instrument.Name == "scanlogin.http.rate_limited") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var labels = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
            if (labels.GetValueOrDefault("code") == code) lock (seen) seen.Add(labels.GetValueOrDefault("endpoint"));
        });
        listener.Start();
        var refusal = new LimitRefusal(code, "Too many.", new RateDecision(false, TimeSpan.FromSeconds(1), TimeSpan.Zero));

        static HttpContext At(Endpoint? endpoint)
        {
            var http = new DefaultHttpContext();
            http.SetEndpoint(endpoint);
            return http;
        }
        static RouteEndpoint Route(string pattern, params object[] metadata) =>
            new(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), 0, new EndpointMetadataCollection(metadata), pattern);

        refusal.ToProblem(At(Route("/api/tickets/{ticketId}", new EndpointNameMetadata("GetTicket"))));
        refusal.ToProblem(At(Route("/api/v2/qrcode/check")));
        refusal.ToProblem(At(new Endpoint(null, new EndpointMetadataCollection(new EndpointNameMetadata("Named")), "named")));
        refusal.Apply(At(null));
        Assert.Equal(["GetTicket", "/api/v2/qrcode/check", "Named", "operator"], seen);
    }

    private static ServiceProvider Registered(Action<IServiceCollection>? before = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ScanLogin:RateLimits:UnknownIdCacheTime"] = "00:00:05",
            ["ScanLogin:RateLimits:Enabled"] = "false",
        }).Build();
        var services = new ServiceCollection().AddSingleton(TimeProvider.System);
        before?.Invoke(services);
        return services.AddAbuseLimits(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Registration_binds_the_limits_section_and_brings_a_clock_unless_one_is_given()
    {
        using var services = Registered();
        var options = services.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        Assert.Equal(TimeSpan.FromSeconds(5), options.UnknownIdCacheTime);
        Assert.False(options.Enabled);
        Assert.NotNull(services.GetRequiredService<RateLimitClock>());
        Assert.NotNull(services.GetRequiredService<UnknownIds>());

        var given = new RateLimitClock(TimeProvider.System);
        using var withClock = Registered(s => s.AddSingleton(given));
        Assert.Same(given, withClock.GetRequiredService<RateLimitClock>());
    }

    [Fact]
    public void A_problem_decided_on_a_silo_with_retry_after_gets_the_header_unless_one_is_set()
    {
        using var services = Registered();
        var customize = services.GetRequiredService<IOptions<ProblemDetailsOptions>>().Value.CustomizeProblemDetails!;
        ProblemDetailsContext Problem(HttpContext http, object? retryAfter)
        {
            var details = new ProblemDetails();
            if (retryAfter is not null) details.Extensions["retryAfter"] = retryAfter;
            return new ProblemDetailsContext { HttpContext = http, ProblemDetails = details };
        }

        var fromSilo = new DefaultHttpContext();
        customize(Problem(fromSilo, 12));
        Assert.Equal("12", fromSilo.Response.Headers.RetryAfter.ToString());

        var alreadySet = new DefaultHttpContext();
        alreadySet.Response.Headers.RetryAfter = "3";
        customize(Problem(alreadySet, 12));
        Assert.Equal("3", alreadySet.Response.Headers.RetryAfter.ToString());

        var without = new DefaultHttpContext();
        customize(Problem(without, null));
        customize(Problem(without, "12"));
        Assert.Equal(0, without.Response.Headers.RetryAfter.Count);
    }
}
