using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Scalar.AspNetCore;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Hosting;
using ScanLogin.WebFront.Admin;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.Observability;
using ScanLogin.WebFront.Apis.Authing;
using ScanLogin.WebFront.Oidc;
using ScanLogin.WebFront.Push;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Hosting;

/// <summary>Builds the front end: a cluster client mapping HTTP, long-poll and SSE onto grains.</summary>
public static class FrontEndApp
{
    /// <summary>Bodies are small JSON objects; anything larger is refused before it is read.</summary>
    public const long MaxRequestBodyBytes = RequestLimits.MaxBodyBytes;

    /// <summary>
    /// The longest a front end waits for a grain call: above the slowest honest call (a confirm that asks WeChat twice,
    /// 5 s each at most, and writes an account), far below Orleans' default 30 s.
    /// </summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(12);

    /// <summary>What a front end needs outside Development (see <see cref="ProductionGuard"/>).</summary>
    public static readonly ProductionGuard.Requirement[] RequiredOutsideDevelopment =
    [
        ProductionGuard.ConnectionString("Redis", "it would only look for a silo on localhost"),
        ClusterTls.Requirement,
        new("ScanLogin:Oidc:PublicBaseUrl", c => !string.IsNullOrWhiteSpace(c["ScanLogin:Oidc:PublicBaseUrl"]),
            "the URL browsers and relying parties reach it at, behind its proxy, must be named"),
    ];

    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        ProductionGuard.EnsureConfigured(builder.Environment, builder.Configuration, "front end", RequiredOutsideDevelopment);
        builder.WebHost.ConfigureKestrel(k =>
        {
            RequestLimits.Apply(k.Limits);
            k.ConfigureEndpointDefaults(listen => listen.UseProblemRefusals());
        });
        // HTTP answers while the cluster client is still looking for a gateway (silos and front ends may start together):
        // /healthz is alive and /readyz says 503 until a silo answers, instead of the port refusing connections.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        builder.AddClusterClient();
        builder.AddFrontEndTelemetry();
        builder.Services.AddJsonProblems();
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemsWhateverAccepted>();
        builder.Services.AddAbuseLimits(builder.Configuration);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerKeysInOpenApi>());
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            AdminJson.Configure(o.SerializerOptions);
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, TicketJson.Default);
        });
        builder.Services.Configure<AdminOptions>(builder.Configuration.GetSection(AdminOptions.Section));
        builder.Services.Configure<FeedOptions>(builder.Configuration.GetSection(FeedOptions.Section));
        builder.Services.Configure<MiniProgramSiteOptions>(builder.Configuration.GetSection(MiniProgramSiteOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(new FeedClock(TimeProvider.System));
        builder.Services.AddSingleton<TicketFeed>();
        builder.Services.AddSingleton<OpenWaits>();
        builder.Services.AddSingleton<BrowserOrigins>();
        builder.Services.AddSingleton<TicketDeskClient>();
        builder.Services.Configure<PoolHostOptions>(builder.Configuration.GetSection(PoolHostOptions.Section));
        builder.Services.AddSingleton<PoolHosts>();
        builder.Services.AddTrustedProxies(builder.Configuration);
        builder.Services.AddCors();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Cors.Infrastructure.ICorsPolicyProvider, BrowserCors>();

        var app = builder.Build();
        app.UseTrustedProxies();
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = ErrorHandling.StatusOf });
        app.UseStatusCodePages();
        // A pool's own host is routed as its path form: before routing, which then matches the /oidc/{poolId} endpoints.
        app.UsePoolHosts();
        app.UseRouting();
        app.UseEdgeGuard();
        app.UsePreflightVary();
        app.UseCors();
        app.UsePreflightStop();
        // Before authentication: an address out of permits is refused before its key is looked at.
        app.UseAdminAuthLimits();
        app.UseAdminAuthentication();
        app.UseOperatorEndpoints();
        app.UseRequestLogScope();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs");
        app.MapHealthApi();
        app.MapGroup("").WithAbuseLimits().MapTicketsApi().MapMiniProgramApi();
        app.MapBindingApi();
        app.MapMiniProgramLoginApi();
        app.MapOpenInWeChatApi();
        app.MapVerificationFilesApi();
        app.MapQrCodesApi();
        app.MapAuthingQrApi();
        app.MapOidcApi();
        app.MapAdminApi();
        app.MapHostedLoginApi();
        app.MapOidcTokenApi();
        app.MapConnectionsApi();
        app.MapOidcRevocationApi();
        app.MapEndSessionApi();
        app.MapOperatorEndpoints();
        return app;
    }

    /// <summary>Joins the cluster the same way the silos do: Redis when ConnectionStrings:Redis is set, else localhost.</summary>
    private static void AddClusterClient(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.UseOrleansClient(client =>
        {
            var clusterId = configuration["Orleans:ClusterId"] ?? "scanlogin";
            var serviceId = configuration["Orleans:ServiceId"] ?? "scanlogin";
            if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
            {
                client.UseRedisClustering(redis);
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId));
            }
            else
            {
                client.UseLocalhostClustering(configuration.GetValue("Orleans:GatewayPort", 30000), serviceId, clusterId);
            }
            client.UseClusterTls(configuration);
            client.UseConnectionRetryFilter<RetryUntilStopped>();
            client.AddClientObservability(configuration);
            client.AddOutgoingGrainCallFilter<GrainKeyGuard>();
            client.AddOutgoingGrainCallFilter<TicketMovesSeen>();
            // A lost gateway may have taken watched tickets' watches and pushes with it: the feed re-asks at once.
            client.AddGatewayCountChangedHandler(services => (_, e) =>
            {
                if (e.NumberOfConnectedGateways < e.PreviousNumberOfConnectedGateways) services.GetRequiredService<TicketFeed>().OnGatewayLost();
            });
            // A call into a silo that died is answered by nobody: fail it (503, retryable) after this, not Orleans' 30 s.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = configuration.GetValue("Orleans:ResponseTimeout", DefaultResponseTimeout));
            // Learn about replaced silos within seconds, not the default minute.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        });
    }
}

/// <summary>The front end may start before any silo: keep trying to connect instead of failing start-up.</summary>
internal sealed class RetryUntilStopped(ILogger<RetryUntilStopped> logger) : IClientConnectionRetryFilter
{
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        logger.LogWarning("No silo reachable yet ({Message}); retrying", exception.Message);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }
}
