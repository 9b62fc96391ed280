using System.Diagnostics;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Hosting;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Outside Development a host without its connection strings refuses to start instead of running in memory on localhost.</summary>
public sealed class ProductionGuardTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void A_silo_without_connection_strings_refuses_to_start(string environment)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SiloBuilder.Create(["--environment", environment]));
        Assert.Contains("ConnectionStrings:PostgreSQL", error.Message);
        Assert.Contains("ConnectionStrings:Redis", error.Message);
        Assert.Contains(environment, error.Message);
    }

    [Fact]
    public void A_silo_with_redis_but_no_postgresql_refuses_to_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            SiloBuilder.Create(["--environment", "Production", "--ConnectionStrings:Redis", "127.0.0.1:1"]));
        Assert.Contains("ConnectionStrings:PostgreSQL", error.Message);
        Assert.DoesNotContain("ConnectionStrings:Redis", error.Message);
    }

    [Fact]
    public void A_front_end_without_redis_refuses_to_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FrontEndApp.Create(["--environment", "Production"]));
        Assert.Contains("ConnectionStrings:Redis", error.Message);
    }

    /// <summary>Everything production asks of both hosts, as command-line arguments.</summary>
    private static string[] Configured(params string[] without)
    {
        var settings = new Dictionary<string, string?>(ClusterCertificates.Cluster.Settings)
        {
            ["ConnectionStrings:Redis"] = "127.0.0.1:1",
            ["ConnectionStrings:PostgreSQL"] = "Host=127.0.0.1;Port=1",
            ["ScanLogin:Oidc:PublicBaseUrl"] = "https://login.example.com",
        };
        return ["--environment", "Production", .. settings.Where(s => !without.Contains(s.Key)).SelectMany(s => new[] { $"--{s.Key}", s.Value! })];
    }

    [Fact]
    public void Development_and_configured_production_hosts_build()
    {
        using var silo = SiloBuilder.Create(["--environment", "Development"]).Build();
        using var configured = SiloBuilder.Create(Configured()).Build();
        var front = FrontEndApp.Create(Configured());
        Assert.NotNull(front);
    }

    [Fact]
    public void Production_hosts_without_the_cluster_certificate_refuse_to_start()
    {
        string[] args = Configured("Orleans:Tls:CertificatePath");
        var silo = Assert.Throws<InvalidOperationException>(() => SiloBuilder.Create(args));
        var front = Assert.Throws<InvalidOperationException>(() => FrontEndApp.Create(args));
        foreach (var error in new[] { silo, front })
        {
            Assert.Contains("Orleans:Tls:CertificatePath", error.Message);
            Assert.Contains("Orleans:Tls:NetworkIsTrusted", error.Message);
        }
    }

    [Fact]
    public void Production_hosts_run_without_certificates_only_when_told_the_network_is_trusted()
    {
        string[] args = [.. Configured("Orleans:Tls:CertificatePath", "Orleans:Tls:KeyPath", "Orleans:Tls:CertificateAuthorityPath"),
            "--Orleans:Tls:NetworkIsTrusted", "true"];
        using var silo = SiloBuilder.Create(args).Build();
        Assert.NotNull(FrontEndApp.Create(args));
    }

    [Fact]
    public void A_production_front_end_without_a_public_base_url_refuses_to_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FrontEndApp.Create(Configured("ScanLogin:Oidc:PublicBaseUrl")));
        Assert.Contains("ScanLogin:Oidc:PublicBaseUrl", error.Message);
        Assert.DoesNotContain("ConnectionStrings", error.Message);
    }

    [Fact]
    public async Task The_silo_process_exits_with_the_reason()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ScanLogin.Silo.dll");
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("without ConnectionStrings:PostgreSQL", await stderr + await stdout);
    }
}
