using Npgsql;

namespace ScanLogin.Tests.Shared;

/// <summary>
/// The real PostgreSQL and Redis the tests run against: deploy/test.sh (or /work/tools/testenv.sh) starts private ones
/// and exports SCANLOGIN_TEST_POSTGRES and SCANLOGIN_TEST_REDIS; without them the tests that need them fail, saying so.
/// </summary>
public static class TestServices
{
    public static string Postgres => Environment.GetEnvironmentVariable("SCANLOGIN_TEST_POSTGRES")
        ?? throw new InvalidOperationException("SCANLOGIN_TEST_POSTGRES is not set: run the tests with deploy/test.sh.");

    public static string Redis => Environment.GetEnvironmentVariable("SCANLOGIN_TEST_REDIS")
        ?? throw new InvalidOperationException("SCANLOGIN_TEST_REDIS is not set: run the tests with deploy/test.sh.");

    /// <summary>Creates an empty database named <paramref name="prefix"/> plus a random suffix; answers its connection string.</summary>
    public static async Task<string> NewDatabaseAsync(string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(Postgres))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
            await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }
}
