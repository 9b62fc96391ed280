using Npgsql;
using NpgsqlTypes;

namespace ScanLogin.Grains.Admin;

/// <summary>The catalog and audit tables in PostgreSQL (migration 003).</summary>
public sealed class PostgresCatalogStore(NpgsqlDataSource db) : ICatalogStore
{
    public async Task UpsertAsync(CatalogKind kind, string poolId, string id, string json)
    {
        await using var command = db.CreateCommand(
            "INSERT INTO scanlogin_catalog (kind, pool_id, id, body, updated_at) VALUES ($1, $2, $3, $4, now()) " +
            "ON CONFLICT (kind, pool_id, id) DO UPDATE SET body = EXCLUDED.body, updated_at = now()");
        command.Parameters.Add(new NpgsqlParameter { Value = (short)kind });
        command.Parameters.Add(new NpgsqlParameter { Value = poolId });
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync();
    }

    public async Task DeleteAsync(CatalogKind kind, string poolId, string id)
    {
        await using var command = db.CreateCommand("DELETE FROM scanlogin_catalog WHERE kind = $1 AND pool_id = $2 AND id = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = (short)kind });
        command.Parameters.Add(new NpgsqlParameter { Value = poolId });
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<CatalogRow>> ListAsync(CatalogKind kind, string? poolId, string? afterId, int limit)
    {
        await using var command = kind == CatalogKind.Users
            ? db.CreateCommand(
                "SELECT u.user_id, json_build_object('id', u.user_id, 'poolId', u.pool_id, 'nickname', u.nickname, 'avatarUrl', u.avatar_url, " +
                "'phone', u.phone, 'createdAt', u.created_at, 'lastLoginAt', u.last_login_at, 'loginCount', u.login_count)::text " +
                "FROM scanlogin_users u WHERE u.pool_id = $1 AND ($2::text IS NULL OR u.user_id > $2) ORDER BY u.user_id COLLATE \"C\" LIMIT $3")
            : db.CreateCommand(
                "SELECT id, body::text FROM scanlogin_catalog WHERE kind = $4 AND ($1::text IS NULL OR pool_id = $1) " +
                "AND ($2::text IS NULL OR id COLLATE \"C\" > $2) ORDER BY id COLLATE \"C\" LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)poolId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)afterId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        if (kind != CatalogKind.Users) command.Parameters.Add(new NpgsqlParameter { Value = (short)kind });
        var rows = new List<CatalogRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(new CatalogRow(reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    public async Task<bool> IsOriginAllowedAsync(string origin)
    {
        await using var command = db.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM scanlogin_catalog WHERE kind = 1 AND body->'allowedOrigins' @> jsonb_build_array($1::text))");
        command.Parameters.Add(new NpgsqlParameter { Value = origin });
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    public async Task AppendAuditAsync(AuditEntry entry)
    {
        await using var command = db.CreateCommand(
            "INSERT INTO scanlogin_audit (pool_id, at, actor, action, resource_type, resource_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        command.Parameters.Add(new NpgsqlParameter { Value = entry.PoolId });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.At });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Actor });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Action });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.ResourceType });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.ResourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Before ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.After ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string poolId, long afterSequence, int limit, AuditFilter filter)
    {
        // A null parameter keeps every row (the same rule as AuditFilter.Keeps).
        await using var command = db.CreateCommand(
            "SELECT seq, pool_id, at, actor, action, resource_type, resource_id, before::text, after::text FROM scanlogin_audit " +
            "WHERE pool_id = $1 AND seq > $2 AND ($4::text IS NULL OR action = $4) AND ($5::text IS NULL OR resource_type = $5) " +
            "AND ($6::text IS NULL OR resource_id = $6) AND ($7::timestamptz IS NULL OR at >= $7) AND ($8::timestamptz IS NULL OR at < $8) " +
            "AND ($9::text IS NULL OR actor = $9) " +
            "ORDER BY seq LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter { Value = poolId });
        command.Parameters.Add(new NpgsqlParameter { Value = afterSequence });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Action ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.ResourceType ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.ResourceId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.From ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.To ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Actor ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            entries.Add(new AuditEntry(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        return entries;
    }
}
