using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ScanLogin.WebFront.Hosting;

/// <summary>
/// The proxies whose X-Forwarded-For and X-Forwarded-Proto the front end believes (section "ScanLogin:ForwardedHeaders").
/// Behind a proxy every client would otherwise share the proxy's address (one address's limits lock everyone out) and
/// the scheme would read http; believing the headers from any sender would let a client pick its own address.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "ScanLogin:ForwardedHeaders";

    /// <summary>Addresses of the proxies in front of the front ends (for example 10.0.0.5).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies live in, in CIDR form (for example 10.244.0.0/16, a Kubernetes pod network).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row to read back through (each must be trusted); 1 for one proxy.</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

public static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        // ASP.NET Core's own switch believes the headers from any sender: exactly what this class exists to prevent.
        if (configuration.GetValue<bool>("FORWARDEDHEADERS_ENABLED"))
            throw new InvalidOperationException("ASPNETCORE_FORWARDEDHEADERS_ENABLED believes X-Forwarded-For from any sender, so any client " +
                $"could choose its own address. Remove it and name the proxies in {TrustedProxyOptions.Section}:KnownProxies or :KnownNetworks.");
        var options = configuration.GetSection(TrustedProxyOptions.Section).Get<TrustedProxyOptions>() ?? new();
        var proxies = options.KnownProxies.Select((p, i) => IPAddress.TryParse(p, out var address) ? address
            : throw new InvalidOperationException($"{TrustedProxyOptions.Section}:KnownProxies:{i} ('{p}') is not an IP address.")).ToList();
        var networks = options.KnownNetworks.Select((n, i) => System.Net.IPNetwork.TryParse(n, out var network) ? network
            : throw new InvalidOperationException($"{TrustedProxyOptions.Section}:KnownNetworks:{i} ('{n}') is not a network in CIDR form (10.0.0.0/8).")).ToList();
        services.AddSingleton(options);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; only what is configured is trusted.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) o.KnownProxies.Add(proxy);
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
            o.ForwardLimit = Math.Max(1, options.ForwardLimit);
        });
        return services;
    }

    /// <summary>First in the pipeline: every later step (limits, logs, cookies) sees the client, not the proxy.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<TrustedProxyOptions>().Any ? app.UseForwardedHeaders() : app;
}
