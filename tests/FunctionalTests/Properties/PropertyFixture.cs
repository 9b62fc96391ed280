using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains;
using ScanLogin.Grains.Tickets;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Hosting;
using Xunit;

namespace ScanLogin.FunctionalTests.Properties;

/// <summary>
/// A cluster with a PostgreSQL database of its own, so that "nothing changed in storage" can be checked by
/// fingerprinting every table between requests. The ticket clock stands still (no expiry writes in between) and the
/// abuse limits are wide open (the generated traffic all comes from one address).
/// </summary>
public sealed class PropertyFixture : IAsyncLifetime
{
    private IHost _silo = null!;
    private WebApplication _front = null!;
    private string _database = "";

    public EmulatorHost Emulator { get; private set; } = null!;

    /// <summary>Warnings and errors of the silo and front end, so a 5xx found by a property names its exception.</summary>
    public CapturedLogs Logs { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    public HttpClient Fuzz { get; private set; } = null!;
    public NpgsqlDataSource Database { get; private set; } = null!;
    public string PlatformKey { get; } = "slp_props_" + Guid.NewGuid().ToString("N");
    public Tenant Tenant { get; private set; } = null!;
    public string LiveTicketId { get; private set; } = "";
    public string ScannedTicketId { get; private set; } = "";
    public string ScanToken { get; private set; } = "";
    public string BrowserSecret { get; private set; } = "";

    /// <summary>Every route and method of the OpenAPI document, with its declared query parameters and whether it takes a body.</summary>
    public IReadOnlyList<Operation> Operations { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var connection = await TestServices.NewDatabaseAsync("props_");
        _database = new NpgsqlConnectionStringBuilder(connection).Database!;
        Database = NpgsqlDataSource.Create(connection);
        Emulator = await EmulatorHost.StartAsync();
        var settings = TestSettings.ForCluster(Emulator, "props", "scanlogin-props", postgres: connection)
            .WithLogLevel("Default", "Warning")
            .WithLogLevel("Microsoft.AspNetCore", "Error")
            .WithLogLevel("Microsoft.AspNetCore.Diagnostics", "Error")
            .WithPlatformKey(PlatformKey)
            .With("ScanLogin:Telemetry:Dashboard", "false")
            .WithLiftedRateLimits();
        _silo = await TestHosts.StartSiloAsync(settings, b =>
        {
            b.Services.AddSingleton(new ProductClock(new FakeTimeProvider(DateTimeOffset.UtcNow)));
            b.Logging.AddProvider(Logs);
        });
        _front = await TestHosts.StartFrontEndAsync(settings, configure: b => b.Logging.AddProvider(Logs));
        Http = TestHosts.ClientOf(_front, timeout: TimeSpan.FromSeconds(60));
        await TestHosts.WaitReadyAsync(Http);

        var grains = _silo.Services.GetRequiredService<IGrainFactory>();
        var tenant = await new TenantBuilder("props-pool", "props-app", "props-app-secret-0123456789")
            .Pool(name: "Pool").Application(name: "Site", origins: ["http://127.0.0.1:1"]).SaveAsync(grains);
        Tenant = new Tenant(tenant.PoolId, tenant.AppId, tenant.AppSecret);
        // A pool makes its first signing key on first need (JWKS, token, userinfo): make it now, so the fingerprint
        // taken around each generated request sees only what that request changed.
        (await Http.GetAsync($"/oidc/{Tenant.PoolId}/jwks")).EnsureSuccessStatusCode();
        var live = await Api.CreateTicketAsync(Http, Tenant);
        LiveTicketId = live.TicketId;
        var scanned = await Api.CreateTicketAsync(Http, Tenant);
        (ScannedTicketId, BrowserSecret) = (scanned.TicketId, scanned.BrowserSecret);
        ScanToken = (await Api.ScanOkAsync(Http, ScannedTicketId, await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync()))).ScanToken;

        Operations = ReadOperations(JsonNode.Parse(await Http.GetStringAsync("/openapi/v1.json"))!);
        // Long-polls the generator keeps open give up here; no answer within it is not a wrong answer.
        Fuzz = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    private static List<Operation> ReadOperations(JsonNode document)
    {
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
        {
            if (method is "parameters" or "summary" or "description" || operation is not JsonObject op) continue;
            var query = op["parameters"]?.AsArray().Where(p => p?["in"]?.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()).ToArray() ?? [];
            operations.Add(new Operation(method.ToUpperInvariant(), path, query, op["requestBody"] is not null));
        }
        return operations;
    }

    /// <summary>A fingerprint of every row of every table: equal before and after means nothing was written.</summary>
    public async Task<string> FingerprintAsync()
    {
        await using var tables = Database.CreateCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name");
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
            while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        var sql = string.Join(" UNION ALL ", names.Select(n =>
            $"SELECT '{n}' || ':' || count(*) || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM \"{n}\" t"));
        await using var command = Database.CreateCommand(sql);
        var parts = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) parts.Add(reader.GetString(0));
        return string.Join("\n", parts);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Fuzz?.Dispose();
        await _front.StopAsync();
        await _front.DisposeAsync();
        await _silo.StopAsync();
        _silo.Dispose();
        await Emulator.DisposeAsync();
        await Database.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(SystemFixture.Postgres);
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}

public sealed record Operation(string Method, string Path, string[] Query, bool HasBody)
{
    public bool IsAdmin => Path.StartsWith("/admin", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {Path}";
}

[CollectionDefinition(Name)]
public sealed class PropertyCollection : ICollectionFixture<PropertyFixture>
{
    public const string Name = "properties";
}
