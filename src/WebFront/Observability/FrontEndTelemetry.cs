using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Admin;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Observability;

/// <summary>Telemetry settings shared by silos and front ends (section "ScanLogin:Telemetry").</summary>
public sealed class TelemetryOptions
{
    public const string Section = "ScanLogin:Telemetry";

    /// <summary>
    /// Front end: when set, /metrics is answered only on this local port (list it in the host's URLs) and without a
    /// key, and nowhere else; unset, /metrics is on the public port behind the platform admin key.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>The Orleans Dashboard at /dashboard, behind the platform admin key.</summary>
    public bool Dashboard { get; set; } = true;
}

/// <summary>
/// OpenTelemetry for a front end: HTTP server metrics and the front end's own (429s, waiting browsers, confirm to
/// browser) on a Prometheus scrape endpoint; traces from each request into the grain calls it makes, exported
/// over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Plus the Orleans Dashboard for operators.
/// </summary>
public static class FrontEndTelemetry
{
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";

    public static void AddFrontEndTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<TelemetryOptions>(builder.Configuration.GetSection(TelemetryOptions.Section));
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("scanlogin-webfront", serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithMetrics(metrics =>
            {
                // ASP.NET Core's own meters, not the OpenTelemetry instrumentation: that one adds an async middleware
                // frame to every request (and so to every waiting browser) for a tag on failed requests.
                metrics.AddMeter(FrontEndMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel").AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            });
        // Traces only when they go somewhere: a tracer provider without an exporter still samples every request, and the
        // Activity it keeps per request (and per waiting browser, for as long as it waits) costs throughput and memory.
        // A caller's traceparent still reaches the silo through the client's activity propagation when something listens.
        if (otlp)
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter());
    }

    public static void AddClientObservability(this IClientBuilder client, IConfiguration configuration)
    {
        client.AddActivityPropagation();
        if (IsDashboardOn(configuration)) client.AddDashboard();
    }

    /// <summary>Before routing: /metrics and /dashboard answer operators only.</summary>
    public static IApplicationBuilder UseOperatorEndpoints(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        // Not async on the way through: a waiting browser's request would keep this frame alive for as long as it waits.
        return app.Use((http, next) =>
        {
            var path = http.Request.Path;
            var onMetricsPort = options.MetricsPort is { } port && http.Connection.LocalPort == port;
            // The metrics port serves metrics and nothing else; the public port serves them only to the platform key.
            if (onMetricsPort != path.StartsWithSegments(MetricsPath) && (onMetricsPort || options.MetricsPort is not null))
                return ApiProblems.Problem(StatusCodes.Status404NotFound, "not_found", "No such resource.").ExecuteAsync(http);
            var operatorOnly = (path.StartsWithSegments(MetricsPath) && !onMetricsPort) || path.StartsWithSegments(DashboardPath);
            if (operatorOnly && !IsPlatformOperator(http))
            {
                // Basic lets a browser ask for the key (any user name, the key as password) for the dashboard.
                http.Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"ScanLogin operators\"";
                return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "unauthorized",
                    "Send the platform admin key as Authorization: Bearer <key> (or as the Basic password).").ExecuteAsync(http);
            }
            return next(http);
        });
    }

    public static void MapOperatorEndpoints(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (IsDashboardOn(app.Configuration)) app.MapOrleansDashboard(DashboardPath);
    }

    private static bool IsDashboardOn(IConfiguration configuration) =>
        configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>()?.Dashboard ?? true;

    private static bool IsPlatformOperator(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        string? key = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) key = header["Bearer ".Length..].Trim();
        else if (BasicCredentials.Parse(header) is { } basic) key = basic.Password;
        if (key is not { Length: > 0 and <= 256 }) return false;
        var hash = AdminAuth.HashPlatformKey(key);
        return http.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.PlatformKeyHashes.Any(h => Secrets.FixedTimeEquals(h, hash));
    }
}
