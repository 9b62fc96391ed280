using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ScanLogin.Hosting;

/// <summary>
/// Outside Development a host missing what production needs would quietly run unsafe: a silo without PostgreSQL or
/// Redis keeps state in memory and clusters with itself alone, a front end without Redis looks for a silo on localhost
/// only, either without the cluster's certificates talks to the cluster in plain text, and a front end without a
/// public base URL names its issuers after a loopback address. Refuse to start instead, with every reason at once.
/// </summary>
public static class ProductionGuard
{
    /// <summary>What a host needs outside Development; each entry names the setting and why.</summary>
    public sealed record Requirement(string Setting, Func<IConfiguration, bool> IsMet, string Why);

    public static Requirement ConnectionString(string name, string why) =>
        new($"ConnectionStrings:{name}", c => !string.IsNullOrWhiteSpace(c.GetConnectionString(name)), why);

    public static void EnsureConfigured(IHostEnvironment environment, IConfiguration configuration, string host, params Requirement[] required)
    {
        if (environment.IsDevelopment()) return;
        var missing = required.Where(r => !r.IsMet(configuration)).ToList();
        if (missing.Count == 0) return;
        throw new InvalidOperationException(
            $"The {host} will not start in the '{environment.EnvironmentName}' environment without " +
            string.Join("; without ", missing.Select(m => $"{m.Setting} (environment variable {m.Setting.Replace(":", "__")}): {m.Why}")) +
            ". Set them, or run with DOTNET_ENVIRONMENT=Development for a throw-away single-process setup.");
    }
}
