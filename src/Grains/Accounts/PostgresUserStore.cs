using Npgsql;

namespace ScanLogin.Grains.Accounts;

/// <summary>Users in PostgreSQL. Unique keys make duplicates impossible even if two activations of a pool ever raced.</summary>
public sealed class PostgresUserStore(NpgsqlDataSource db) : IUserStore
{
    private const string UserColumns = "u.user_id, u.pool_id, u.nickname, u.avatar_url, u.phone, u.created_at";

    public Task<UserProfile?> FindByIdentityAsync(string poolId, string subject, CancellationToken ct = default) =>
        QuerySingleAsync(
            $"SELECT {UserColumns} FROM scanlogin_user_identities i JOIN scanlogin_users u USING (pool_id, user_id) " +
            "WHERE i.pool_id = $1 AND i.provider = 'wechat' AND i.subject = $2", ct, poolId, subject);

    public Task<UserProfile?> FindByPhoneAsync(string poolId, string phone, CancellationToken ct = default) =>
        QuerySingleAsync($"SELECT {UserColumns} FROM scanlogin_users u WHERE u.pool_id = $1 AND u.phone = $2", ct, poolId, phone);

    public Task<UserProfile?> GetAsync(string poolId, string userId, CancellationToken ct = default) =>
        QuerySingleAsync($"SELECT {UserColumns} FROM scanlogin_users u WHERE u.pool_id = $1 AND u.user_id = $2", ct, poolId, userId);

    public async Task<UserProfile> CreateWithIdentityAsync(NewUser user, IdentityLink identity, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            await using (var insertUser = new NpgsqlCommand(
                "INSERT INTO scanlogin_users (pool_id, user_id, nickname, avatar_url, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                connection, tx))
            {
                AddParameters(insertUser, user.PoolId, user.UserId, user.Nickname, user.AvatarUrl, user.Phone, user.CreatedAt);
                await insertUser.ExecuteNonQueryAsync(ct);
            }
            await InsertIdentityAsync(connection, tx, identity, user.UserId, ct);
            await tx.CommitAsync(ct);
            return new UserProfile(user.UserId, user.PoolId, user.Nickname, user.AvatarUrl, user.Phone, user.CreatedAt);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(ct);
            if (e.ConstraintName == "scanlogin_users_phone") throw new PhoneInUseException(user.PoolId);
            return await FindByIdentityAsync(identity.PoolId, identity.Subject, ct)
                ?? throw new InvalidOperationException("Identity conflict without a linked user.", e);
        }
    }

    public async Task<UserProfile> LinkIdentityAsync(IdentityLink identity, string userId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await InsertIdentityAsync(connection, tx, identity, userId, ct, onConflictDoNothing: true);
        await tx.CommitAsync(ct);
        return await FindByIdentityAsync(identity.PoolId, identity.Subject, ct)
            ?? throw new InvalidOperationException($"User {userId} of pool {identity.PoolId} does not exist.");
    }

    public Task<UserProfile?> RecordLoginAsync(string poolId, string userId, DateTimeOffset at, CancellationToken ct = default) =>
        QuerySingleAsync(
            "UPDATE scanlogin_users u SET last_login_at = $3, login_count = login_count + 1 WHERE u.pool_id = $1 AND u.user_id = $2 " +
            $"RETURNING {UserColumns}", ct, poolId, userId, at);

    private static async Task InsertIdentityAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IdentityLink identity, string userId,
        CancellationToken ct, bool onConflictDoNothing = false)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO scanlogin_user_identities (pool_id, provider, subject, user_id, identity_source, openid, unionid) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7)" + (onConflictDoNothing ? " ON CONFLICT DO NOTHING" : ""),
            connection, tx);
        AddParameters(command, identity.PoolId, identity.Provider, identity.Subject, userId, identity.IdentitySource, identity.OpenId, identity.UnionId);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<UserProfile?> QuerySingleAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = db.CreateCommand(sql);
        AddParameters(command, values);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new UserProfile(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetFieldValue<DateTimeOffset>(5));
    }

    private static void AddParameters(NpgsqlCommand command, params object?[] values)
    {
        foreach (var value in values)
            command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
    }
}
