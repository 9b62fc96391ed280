using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using ScanLogin.Grains.Observability;

namespace ScanLogin.Silo.Hosting;

/// <summary>Telemetry settings shared by silos and front ends (section "ScanLogin:Telemetry").</summary>
public sealed class TelemetryOptions
{
    public const string Section = "ScanLogin:Telemetry";

    /// <summary>Silo: serve Prometheus metrics at http://{MetricsHost}:{MetricsPort}/metrics. Unset: no endpoint.</summary>
    public int? MetricsPort { get; set; }

    /// <summary>Where the silo's metrics listener binds: loopback unless the operator opens it (a pod's IP, or "+").</summary>
    public string MetricsHost { get; set; } = "127.0.0.1";

    /// <summary>The Orleans Dashboard's grains and profiler on the silos (the front ends serve its page).</summary>
    public bool Dashboard { get; set; } = true;
}

/// <summary>
/// OpenTelemetry for a silo: ticket and WeChat counters plus Orleans' own meters, on a Prometheus listener when
/// configured; traces of grain calls (continuing the front end's trace) and of WeChat HTTP calls, exported over OTLP
/// when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
public static class SiloTelemetry
{
    public static void AddSiloTelemetry(this HostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("scanlogin-silo", serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TicketMetrics.MeterName, MeteredWeChatApi.MeterName, "Microsoft.Orleans");
                if (options.MetricsPort is { } port)
                    metrics.AddPrometheusHttpListener(o => (o.Host, o.Port, o.ScrapeEndpointPath) = (options.MetricsHost, port, "/metrics"));
                if (otlp) metrics.AddOtlpExporter();
            });
        // Traces only when they go somewhere, as on the front end: a tracer provider without an exporter still samples,
        // and so makes an Activity for every grain call (6% of the silo's CPU in a profile of status reads).
        if (otlp)
            telemetry.WithTracing(tracing => tracing
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
    }

    public static void AddSiloObservability(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddActivityPropagation();
        silo.AddIncomingGrainCallFilter<GrainLogScope>();
        if (configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>()?.Dashboard ?? true) silo.AddDashboard();
    }
}
