using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Prometheus metrics of silo and front end during a real login, and who may read them and the dashboard.</summary>
[Collection(ProductionCollection.Name)]
public sealed class ObservabilityTests(RateLimitFixture system)
{
    private HttpClient Operator(Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.PlatformKey);
        return client;
    }

    /// <summary>Sums the samples of a metric whose labels contain every given pair (0 when absent).</summary>
    private static double Sample(string scrape, string name, params string[] labels) => scrape.Split('\n')
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
        .Where(line => labels.All(line.Contains))
        .Sum(line => double.Parse(Regex.Match(line, @" ([0-9.eE+-]+|NaN)( [0-9]+)?$").Groups[1].Value, CultureInfo.InvariantCulture));

    private async Task<string> SiloAsync()
    {
        using var http = new HttpClient();
        // A Prometheus exporter caches a scrape briefly; ask until it has caught up.
        return await http.GetStringAsync($"http://127.0.0.1:{system.SiloMetricsPort}/metrics");
    }

    [Fact]
    public async Task Metrics_move_during_a_login()
    {
        system.LimiterTime.Advance(TimeSpan.FromHours(1));
        using var front = Operator(system.A.BaseAddress!);
        var tenant = await system.CreateTenantAsync();
        var siloBefore = await SiloAsync();
        var frontBefore = await front.GetStringAsync("/metrics");

        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var openId = await system.Emulator.CreateUserAsync();
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
        // A browser waits on front end A while the phone confirms through B.
        var waiting = WaitAsync(system.A, $"/api/tickets/{ticket.TicketId}/wait?version=2&timeout=30");
        for (var i = 0; i < 100 && Sample(await front.GetStringAsync("/metrics"), "scanlogin_browsers_waiting") < 1; i++) await Task.Delay(20);
        Assert.True(Sample(await front.GetStringAsync("/metrics"), "scanlogin_browsers_waiting") >= 1);
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken)).StatusCode);
        var confirmed = (await waiting)!;
        Assert.Equal("confirmed", confirmed.Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.ExchangeAsync(system.A, confirmed.ExchangeCode!, ticket.BrowserSecret)).StatusCode);

        string silo = "";
        foreach (var (@event, _) in new[] { ("created", 0), ("scanned", 0), ("confirmed", 0), ("exchanged", 0) })
        {
            for (var i = 0; i < 50; i++)
            {
                silo = await SiloAsync();
                if (Sample(silo, "scanlogin_tickets_total", $"event=\"{@event}\"") > Sample(siloBefore, "scanlogin_tickets_total", $"event=\"{@event}\"")) break;
                await Task.Delay(100);
            }
            Assert.True(Sample(silo, "scanlogin_tickets_total", $"event=\"{@event}\"") >= Sample(siloBefore, "scanlogin_tickets_total", $"event=\"{@event}\"") + 1, @event);
        }
        Assert.True(Sample(silo, "scanlogin_wechat_calls_total", "api=\"jscode2session\"", "outcome=\"ok\"")
                    > Sample(siloBefore, "scanlogin_wechat_calls_total", "api=\"jscode2session\"", "outcome=\"ok\""));

        var frontAfter = "";
        for (var i = 0; i < 50; i++)
        {
            frontAfter = await front.GetStringAsync("/metrics");
            if (Sample(frontAfter, "scanlogin_confirm_to_browser_duration_seconds_count") > Sample(frontBefore, "scanlogin_confirm_to_browser_duration_seconds_count")) break;
            await Task.Delay(100);
        }
        // At least this login's wake: the instruments are process-wide, and other test collections' front ends in this
        // test process may wake browsers of their own in the same moment.
        Assert.True(Sample(frontAfter, "scanlogin_confirm_to_browser_duration_seconds_count")
                    >= Sample(frontBefore, "scanlogin_confirm_to_browser_duration_seconds_count") + 1);
        // ASP.NET Core's own http.server.request.duration is checked by deploy/cluster.sh's load run (CI), where the
        // front end is a process of its own: here other test hosts of this process stop at any moment, and disposing
        // their meter of the same name stops OpenTelemetry exporting it for every host (open-telemetry/opentelemetry-dotnet#6412).
        Assert.Contains("scanlogin_browsers_waiting", frontAfter);
        // This login's creation went to the ticket desk in some call: at least one more creation call, one more ticket.
        Assert.True(Sample(frontAfter, "scanlogin_ticket_creation_batch_size_count") >= Sample(frontBefore, "scanlogin_ticket_creation_batch_size_count") + 1);
        Assert.True(Sample(frontAfter, "scanlogin_ticket_creation_batch_size_sum") >= Sample(frontBefore, "scanlogin_ticket_creation_batch_size_sum") + 1);
    }

    [Fact]
    public async Task A_request_trace_continues_into_the_silo()
    {
        var seen = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "Microsoft.Orleans.Runtime" or "Microsoft.Orleans.Application" or "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = seen.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var tenant = await system.CreateTenantAsync();
        // The caller's own trace: HttpClient sends it as traceparent.
        using var source = new ActivitySource("test");
        ActivityTraceId traceId;
        using (var caller = source.StartActivity("browser", ActivityKind.Client)!)
        {
            traceId = caller.TraceId;
            await Api.CreateTicketAsync(system.A, tenant);
        }
        // The front end's span (stopped once the response is sent) and the ticket desk's server-side span share the caller's
        // trace (an idle front end sends a creation on its own; only creations queued behind busy calls travel in a batch).
        for (var i = 0; i < 100 && !seen.Any(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore"); i++) await Task.Delay(20);
        Assert.True(seen.Any(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore"),
            $"{traceId}: " + string.Join("; ", seen.Where(a => !a.Source.Name.Contains("Orleans")).Select(a => $"{a.Source.Name} {a.OperationName} {a.TraceId} {a.ParentId}")));
        var spans = string.Join("; ", seen.Where(a => a.TraceId == traceId).Select(a => $"{a.Source.Name} {a.Kind} {a.DisplayName}"));
        Assert.True(seen.Any(a => a.TraceId == traceId && a.Kind == ActivityKind.Server && a.DisplayName == "ITicketDeskGrain/OpenAsync"), spans);
    }

    [Fact]
    public async Task Refusals_are_counted()
    {
        system.LimiterTime.Advance(TimeSpan.FromHours(1));
        using var front = Operator(system.A.BaseAddress!);
        var before = Sample(await front.GetStringAsync("/metrics"), "scanlogin_http_rate_limited_total", "code=\"slow_down\"");
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        for (var i = 0; i < 12; i++) await system.A.GetAsync($"/api/tickets/{ticket.TicketId}");
        double after = 0;
        for (var i = 0; i < 50 && after < before + 2; i++)
        {
            after = Sample(await front.GetStringAsync("/metrics"), "scanlogin_http_rate_limited_total", "code=\"slow_down\"");
            await Task.Delay(100);
        }
        Assert.Equal(before + 2, after);
    }

    [Fact]
    public async Task Metrics_and_the_dashboard_are_for_operators_only()
    {
        system.LimiterTime.Advance(TimeSpan.FromHours(1));
        // Public port without a key: refused in the error shape. With the platform key: served.
        var refused = await system.A.GetAsync("/metrics");
        await Api.ProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthorized");
        await Api.ProblemAsync(await system.A.GetAsync("/dashboard"), HttpStatusCode.Unauthorized, "unauthorized");
        using var wrong = new HttpClient { BaseAddress = system.A.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");
        await Api.ProblemAsync(await wrong.GetAsync("/dashboard"), HttpStatusCode.Unauthorized, "unauthorized");
        using var front = Operator(system.A.BaseAddress!);
        Assert.Equal(HttpStatusCode.OK, (await front.GetAsync("/metrics")).StatusCode);
        var dashboard = await front.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("html", dashboard.Content.Headers.ContentType?.MediaType);
        // The browser's way in: the key as a Basic password.
        using var browser = new HttpClient { BaseAddress = system.A.BaseAddress };
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ops:" + system.PlatformKey)));
        var viaBasic = await browser.GetAsync("/dashboard/");
        Assert.True(viaBasic.StatusCode == HttpStatusCode.OK, $"{viaBasic.StatusCode} {viaBasic.Headers} {await viaBasic.Content.ReadAsStringAsync()}");

        // Front end B has a metrics port: metrics there without a key, nothing else there, and no metrics on its public port.
        using var metricsPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{system.MetricsPortOfB}") };
        Assert.Contains("scanlogin", await metricsPort.GetStringAsync("/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, (await metricsPort.GetAsync("/healthz")).StatusCode);
        using var operatorOnB = Operator(system.B.BaseAddress!);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorOnB.GetAsync("/metrics")).StatusCode);
    }

    /// <summary>A long-poll's answer, or a failure that says what the front end answered instead.</summary>
    private static async Task<TicketView?> WaitAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<TicketView>();
    }
}
