using Npgsql;
using NpgsqlTypes;

namespace ScanLogin.Grains.Accounts;

/// <summary>
/// Users in PostgreSQL. A batch is one look-up round trip and one transaction; the unique keys (identity, and
/// phone, username, email per pool) make duplicates impossible even if two activations of a pool ever raced.
/// </summary>
public sealed class PostgresUserStore(NpgsqlDataSource db) : IUserStore
{
    private const string Columns = "u.user_id, u.pool_id, u.username, u.email, u.phone, u.nickname, u.avatar_url, u.password_hash, u.blocked, " +
                                   "u.created_at, u.last_login_at, u.login_count, u.failed_passwords, u.locked_until";

    public async Task<AccountSnapshot> LookupAsync(string poolId, AccountKeys keys, CancellationToken ct = default)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(BatchCommand(
            "SELECT subject, user_id FROM scanlogin_user_identities WHERE pool_id = $1 AND provider = 'wechat' AND subject = ANY($2)",
            poolId, keys.Subjects));
        batch.BatchCommands.Add(BatchCommand(
            $"SELECT {Columns} FROM scanlogin_users u WHERE u.pool_id = $1 AND (u.user_id = ANY($2) OR u.phone = ANY($3) OR u.username = ANY($4) " +
            "OR u.email = ANY($5) OR u.user_id IN (SELECT i.user_id FROM scanlogin_user_identities i WHERE i.pool_id = $1 AND i.provider = 'wechat' AND i.subject = ANY($6)))",
            poolId, keys.UserIds, keys.Phones, keys.Usernames, keys.Emails, keys.Subjects));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var bySubject = new Dictionary<string, string>();
        while (await reader.ReadAsync(ct)) bySubject[reader.GetString(0)] = reader.GetString(1);
        await reader.NextResultAsync(ct);
        var users = new List<StoredUser>();
        while (await reader.ReadAsync(ct)) users.Add(ReadUser(reader));
        return new AccountSnapshot(users, bySubject);
    }

    public async Task CommitAsync(AccountChanges changes, CancellationToken ct = default)
    {
        if (changes.IsEmpty) return;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, tx);
        var users = changes.NewUsers;
        if (users.Count > 0)
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO scanlogin_users (pool_id, user_id, username, email, phone, nickname, avatar_url, password_hash, blocked, created_at, last_login_at, login_count) " +
                "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::timestamptz[], $11::timestamptz[], $12::integer[])",
                changes.PoolId, Column(users, u => u.Id), Column(users, u => u.Username), Column(users, u => u.Email), Column(users, u => u.Phone),
                Column(users, u => u.Nickname), Column(users, u => u.AvatarUrl), Column(users, u => u.PasswordHash), users.Select(u => u.Blocked).ToArray(),
                users.Select(u => u.CreatedAt).ToArray(), users.Select(u => u.LastLoginAt).ToArray(), users.Select(u => u.LoginCount).ToArray()));
        var links = changes.NewLinks;
        if (links.Count > 0)
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO scanlogin_user_identities (pool_id, provider, subject, user_id, identity_source, openid, unionid, created_at) " +
                "SELECT $1, 'wechat', s, u, src, o, un, $7 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(s, u, src, o, un)",
                changes.PoolId, Column(links, l => l.Identity.Subject), Column(links, l => l.UserId), Column(links, l => l.Identity.IdentitySource),
                Column(links, l => l.Identity.OpenId), Column(links, l => l.Identity.UnionId), changes.Now));
        if (changes.Logins.Count > 0)
            batch.BatchCommands.Add(BatchCommand(
                "UPDATE scanlogin_users u SET login_count = u.login_count + x.n, last_login_at = $4 FROM unnest($2::text[], $3::integer[]) AS x(id, n) " +
                "WHERE u.pool_id = $1 AND u.user_id = x.id",
                changes.PoolId, changes.Logins.Keys.ToArray(), changes.Logins.Values.ToArray(), changes.Now));
        var audit = changes.Audit;
        if (audit.Count > 0)
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO scanlogin_audit (pool_id, at, actor, action, resource_type, resource_id, before, after) " +
                "SELECT $1, $2, a, act, 'user', id, NULL, aft::jsonb FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS x(a, act, id, aft)",
                changes.PoolId, changes.Now, Column(audit, a => a.Actor), Column(audit, a => a.Action), Column(audit, a => a.ResourceId), Column(audit, a => a.After)));
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new AccountConflictException($"A batch of pool {changes.PoolId} conflicted with another writer ({e.ConstraintName}).", e);
        }
    }

    public Task<StoredUser?> GetAsync(string poolId, string userId, CancellationToken ct = default) =>
        SingleAsync($"SELECT {Columns} FROM scanlogin_users u WHERE u.pool_id = $1 AND u.user_id = $2", ct, poolId, userId);

    public Task<StoredUser?> FindByAccountAsync(string poolId, string account, CancellationToken ct = default) =>
        SingleAsync($"SELECT {Columns} FROM scanlogin_users u WHERE u.pool_id = $1 AND (u.username = $2 OR u.email = $2 OR u.phone = $2) " +
                    "ORDER BY (u.username = $2) DESC, (u.email = $2) DESC LIMIT 1", ct, poolId, account);

    public async Task<IReadOnlyList<StoredUser>> SearchAsync(string poolId, UserQuery q, int limit, CancellationToken ct = default)
    {
        var (where, value) = q switch
        {
            { Phone: { } p } => ("u.phone = $2", p),
            { Email: { } e } => ("u.email = $2", e),
            { Username: { } n } => ("u.username = $2", n),
            { OpenId: { } o } => ("u.user_id IN (SELECT user_id FROM scanlogin_user_identities WHERE pool_id = $1 AND openid = $2)", o),
            { UnionId: { } un } => ("u.user_id IN (SELECT user_id FROM scanlogin_user_identities WHERE pool_id = $1 AND unionid = $2)", un),
            _ => throw new ArgumentException("A search names one field.", nameof(q)),
        };
        await using var command = Command($"SELECT {Columns} FROM scanlogin_users u WHERE u.pool_id = $1 AND {where} ORDER BY u.user_id COLLATE \"C\" LIMIT $3",
            poolId, value, limit);
        return await ListAsync(command, ReadUser, ct);
    }

    public async Task<IReadOnlyList<UserIdentityView>> ListIdentitiesAsync(string poolId, string userId, CancellationToken ct = default)
    {
        await using var command = Command(
            "SELECT provider, subject, identity_source, openid, unionid, created_at FROM scanlogin_user_identities WHERE pool_id = $1 AND user_id = $2 " +
            "ORDER BY created_at, subject", poolId, userId);
        return await ListAsync(command, ReadIdentity, ct);
    }

    public async Task<(StoredUser Before, StoredUser After)?> SetBlockedAsync(string poolId, string userId, bool blocked, CancellationToken ct = default)
    {
        var before = await GetAsync(poolId, userId, ct);
        if (before is null) return null;
        var after = await SingleAsync($"UPDATE scanlogin_users u SET blocked = $3 WHERE u.pool_id = $1 AND u.user_id = $2 RETURNING {Columns}", ct,
            poolId, userId, blocked);
        return after is null ? null : (before, after);
    }

    public Task<StoredUser?> DeleteAsync(string poolId, string userId, CancellationToken ct = default) =>
        SingleAsync($"DELETE FROM scanlogin_users u WHERE u.pool_id = $1 AND u.user_id = $2 RETURNING {Columns}", ct, poolId, userId);

    public async Task<UserIdentityView?> UnbindAsync(string poolId, string userId, string subject, CancellationToken ct = default)
    {
        await using var command = Command(
            "DELETE FROM scanlogin_user_identities WHERE pool_id = $1 AND user_id = $2 AND subject = $3 " +
            "RETURNING provider, subject, identity_source, openid, unionid, created_at", poolId, userId, subject);
        return (await ListAsync(command, ReadIdentity, ct)).FirstOrDefault();
    }

    public Task<StoredUser?> RecordPasswordFailureAsync(string poolId, string userId, int limit, TimeSpan lockFor, DateTimeOffset now, CancellationToken ct = default) =>
        SingleAsync(
            "UPDATE scanlogin_users u SET failed_passwords = CASE WHEN u.failed_passwords + 1 >= $3 THEN 0 ELSE u.failed_passwords + 1 END, " +
            "locked_until = CASE WHEN u.failed_passwords + 1 >= $3 THEN $4 ELSE u.locked_until END " +
            $"WHERE u.pool_id = $1 AND u.user_id = $2 RETURNING {Columns}", ct, poolId, userId, limit, now + lockFor);

    public async Task ResetPasswordFailuresAsync(string poolId, string userId, CancellationToken ct = default)
    {
        await using var command = Command(
            "UPDATE scanlogin_users SET failed_passwords = 0, locked_until = NULL WHERE pool_id = $1 AND user_id = $2 AND (failed_passwords > 0 OR locked_until IS NOT NULL)",
            poolId, userId);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static StoredUser ReadUser(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7), r.GetBoolean(8),
        r.GetFieldValue<DateTimeOffset>(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10), r.GetInt32(11), r.GetInt32(12),
        r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13));

    private static UserIdentityView ReadIdentity(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Text(r, 4), r.GetFieldValue<DateTimeOffset>(5));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static string?[] Column<T>(List<T> rows, Func<T, string?> pick) => rows.Select(pick).ToArray();

    private async Task<StoredUser?> SingleAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = Command(sql, values);
        return (await ListAsync(command, ReadUser, ct)).FirstOrDefault();
    }

    private static async Task<IReadOnlyList<T>> ListAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return rows;
    }

    private NpgsqlCommand Command(string sql, params object?[] values)
    {
        var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(Parameter(value));
        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(Parameter(value));
        return command;
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
        string?[] texts => new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        _ => new NpgsqlParameter { Value = value },
    };
}
