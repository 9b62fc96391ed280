using Npgsql;

namespace ScanLogin.Grains;

/// <summary>Where the key ring's wrapped data keys live: PostgreSQL, or memory in development.</summary>
public interface ISecretKeyStore
{
    Task<IReadOnlyList<(int Id, byte[] Wrapped)>> LoadAsync();

    /// <summary>False if another silo took this id first.</summary>
    Task<bool> TryAddAsync(int id, byte[] wrapped);
}

public sealed class InMemorySecretKeyStore : ISecretKeyStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, byte[]> _keys = [];

    public Task<IReadOnlyList<(int Id, byte[] Wrapped)>> LoadAsync()
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<(int, byte[])>>(_keys.Select(k => (k.Key, k.Value)).ToList());
    }

    public Task<bool> TryAddAsync(int id, byte[] wrapped)
    {
        lock (_gate) return Task.FromResult(_keys.TryAdd(id, wrapped));
    }
}

public sealed class PostgresSecretKeyStore(NpgsqlDataSource db) : ISecretKeyStore
{
    public async Task<IReadOnlyList<(int Id, byte[] Wrapped)>> LoadAsync()
    {
        await using var command = db.CreateCommand("SELECT key_id, wrapped_key FROM scanlogin_secret_keys ORDER BY key_id");
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<(int, byte[])>();
        while (await reader.ReadAsync()) keys.Add((reader.GetInt32(0), reader.GetFieldValue<byte[]>(1)));
        return keys;
    }

    public async Task<bool> TryAddAsync(int id, byte[] wrapped)
    {
        await using var command = db.CreateCommand("INSERT INTO scanlogin_secret_keys (key_id, wrapped_key) VALUES ($1, $2) ON CONFLICT DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = wrapped });
        return await command.ExecuteNonQueryAsync() == 1;
    }
}
