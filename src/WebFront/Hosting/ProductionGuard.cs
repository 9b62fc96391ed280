namespace ScanLogin.WebFront.Hosting;

/// <summary>
/// Outside Development a front end without Redis would look for a silo on localhost only and never find
/// the cluster (or find a development silo). Refuse to start instead, with the reason.
/// </summary>
public static class ProductionGuard
{
    public static readonly string[] RequiredConnectionStrings = ["Redis"];

    public static void EnsureConfigured(IHostEnvironment environment, IConfiguration configuration, string host, IEnumerable<string> required)
    {
        if (environment.IsDevelopment()) return;
        var missing = required.Where(name => string.IsNullOrWhiteSpace(configuration.GetConnectionString(name))).ToList();
        if (missing.Count == 0) return;
        throw new InvalidOperationException(
            $"The {host} will not start in the '{environment.EnvironmentName}' environment without " +
            string.Join(" and ", missing.Select(m => $"ConnectionStrings:{m} (environment variable ConnectionStrings__{m})")) +
            ". Without it the front end would only look for a silo on localhost. Set them, or run with " +
            "DOTNET_ENVIRONMENT=Development for a throw-away single-process setup.");
    }
}
