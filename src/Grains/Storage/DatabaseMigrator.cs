using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ScanLogin.Grains.Storage;

/// <summary>
/// Applies the embedded SQL scripts (Storage/Migrations/NNN_name.sql) in order, each once, under an advisory
/// lock so several silos starting together do not race. Safe to run on every start.
/// </summary>
public sealed class DatabaseMigrator(NpgsqlDataSource db, ILogger<DatabaseMigrator> logger)
{
    public const string ConnectionStringName = "PostgreSQL";
    private const long LockKey = 0x5ca9_1091; // any constant shared by all silos

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({LockKey})", ct);
        await ExecuteAsync(connection, tx,
            "CREATE TABLE IF NOT EXISTS scanlogin_schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", ct);

        var applied = new HashSet<string>();
        await using (var read = new NpgsqlCommand("SELECT name FROM scanlogin_schema_migrations", connection, tx))
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));

        foreach (var (name, sql) in Scripts().Where(s => !applied.Contains(s.Name)))
        {
            logger.LogInformation("Applying database migration {Migration}", name);
            await ExecuteAsync(connection, tx, sql, ct);
            await using var record = new NpgsqlCommand("INSERT INTO scanlogin_schema_migrations (name) VALUES ($1)", connection, tx);
            record.Parameters.Add(new NpgsqlParameter { Value = name });
            await record.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    private static IEnumerable<(string Name, string Sql)> Scripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "ScanLogin.Grains.Storage.Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            yield return (resource[prefix.Length..^".sql".Length], reader.ReadToEnd());
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }
}
