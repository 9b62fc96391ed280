namespace ScanLogin.Silo.Hosting;

/// <summary>
/// Outside Development a silo without PostgreSQL or Redis would quietly keep grain state in memory and
/// cluster with itself alone: data lost at the next restart, a split cluster. Refuse to start instead.
/// </summary>
public static class ProductionGuard
{
    public static readonly string[] RequiredConnectionStrings = ["PostgreSQL", "Redis"];

    public static void EnsureConfigured(IHostEnvironment environment, IConfiguration configuration, string host, IEnumerable<string> required)
    {
        if (environment.IsDevelopment()) return;
        var missing = required.Where(name => string.IsNullOrWhiteSpace(configuration.GetConnectionString(name))).ToList();
        if (missing.Count == 0) return;
        throw new InvalidOperationException(
            $"The {host} will not start in the '{environment.EnvironmentName}' environment without " +
            string.Join(" and ", missing.Select(m => $"ConnectionStrings:{m} (environment variable ConnectionStrings__{m})")) +
            ". Without them it would keep state in memory and cluster with itself alone. Set them, or run with " +
            "DOTNET_ENVIRONMENT=Development for a throw-away single-process setup.");
    }
}
