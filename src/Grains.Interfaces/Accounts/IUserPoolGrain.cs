namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One tenant: its settings, its operators' API keys, and its users. The one place that decides account creation
/// and binding, so one identity (or phone, username, email) never yields two users. Those decisions are made in
/// batches (every request that arrives while a database round trip runs joins the next batch), and every account
/// method interleaves, so reads and API-key checks never wait behind them.
/// </summary>
[Alias("ScanLogin.IUserPoolGrain")]
public interface IUserPoolGrain : IGrainWithStringKey
{
    /// <summary>The pool's settings, or null for an unknown pool.</summary>
    [ReadOnly, Alias("GetSettings")]
    Task<UserPoolSettings?> GetSettingsAsync();

    /// <summary>Creates or replaces the pool as the system (seeding, tests); operators use Create and Update.</summary>
    [Alias("SaveSettings")]
    Task SaveSettingsAsync(UserPoolSettings settings);

    /// <summary>The pool's settings with their revision and times, for the admin API; null for an unknown pool.</summary>
    [ReadOnly, Alias("GetVersioned")]
    Task<Versioned<UserPoolSettings>?> GetVersionedAsync();

    /// <summary>Operators: creates the pool; refused when it exists or the settings are invalid.</summary>
    [Alias("Create")]
    Task<Outcome<Versioned<UserPoolSettings>>> CreateAsync(UserPoolSettings settings, Actor actor);

    /// <summary>Operators: changes the pool's settings when <paramref name="ifRevision"/> (if given) is still current.</summary>
    [Alias("Update")]
    Task<Outcome<Versioned<UserPoolSettings>>> UpdateAsync(UserPoolSettings settings, int? ifRevision, Actor actor);

    /// <summary>Refused while the pool still has applications or identity sources.</summary>
    [Alias("Delete")]
    Task<Outcome<bool>> DeleteAsync(int? ifRevision, Actor actor);

    /// <summary>Operators: a new pool API key; its full value is answered only this once.</summary>
    [Alias("CreateApiKey")]
    Task<Outcome<CreatedApiKey>> CreateApiKeyAsync(string name, Actor actor);

    /// <summary>The pool's API keys as listed: ids, names and times, never secrets.</summary>
    [ReadOnly, Alias("ListApiKeys")]
    Task<ApiKeyView[]> ListApiKeysAsync();

    /// <summary>Operators: deletes a pool API key; it stops working at once.</summary>
    [Alias("DeleteApiKey")]
    Task<Outcome<bool>> DeleteApiKeyAsync(string keyId, Actor actor);

    /// <summary>Constant-time check of a pool key's secret; false for unknown keys or pools.</summary>
    [ReadOnly, Alias("VerifyApiKey")]
    Task<bool> VerifyApiKeyAsync(string keyId, string secret);

    /// <summary>Finds the user behind a WeChat identity, or applies the identity source's policy for a new one.</summary>
    [AlwaysInterleave, Alias("ResolveWeChatLogin")]
    Task<AccountResolution> ResolveWeChatLoginAsync(WeChatLogin login);

    /// <summary>
    /// Ask-binding, existing account: checks the password of the account named by username, email or phone, then binds the
    /// identity to it. Unknown account, wrong password and an identity locked out of the account (too many wrong passwords
    /// from that identity) all answer <c>invalid_credentials</c> after the same hashing work.
    /// </summary>
    [AlwaysInterleave, Alias("BindWithPassword")]
    Task<AccountResolution> BindWithPasswordAsync(WeChatLogin login, string account, string password);

    /// <summary>Ask-binding, new account: creates it (where the source allows registration) with the identity and the shared phone.</summary>
    [AlwaysInterleave, Alias("RegisterForBinding")]
    Task<AccountResolution> RegisterForBindingAsync(WeChatLogin login, NewAccount account);

    /// <summary>A user as the PC side receives it after an exchange; null when the pool has no such user.</summary>
    [AlwaysInterleave, Alias("GetUser")]
    Task<UserProfile?> GetUserAsync(string userId);

    /// <summary>Operators: creates (or imports) accounts; each one succeeds or fails on its own.</summary>
    [AlwaysInterleave, Alias("CreateUsers")]
    Task<Outcome<AccountCreation[]>> CreateUsersAsync(NewAccount[] accounts, Actor actor);

    /// <summary>Operators: a user as the admin API shows it (never the password hash); null when unknown.</summary>
    [AlwaysInterleave, Alias("GetUserRecord")]
    Task<UserRecord?> GetUserRecordAsync(string userId);

    /// <summary>Operators: users matching the query's one field (normalized as stored), at most <paramref name="limit"/>.</summary>
    [AlwaysInterleave, Alias("SearchUsers")]
    Task<UserRecord[]> SearchUsersAsync(UserQuery query, int limit);

    /// <summary>Operators: blocks or unblocks a user (a blocked user's logins end rejected); audited when it changes.</summary>
    [AlwaysInterleave, Alias("SetUserBlocked")]
    Task<Outcome<UserRecord>> SetUserBlockedAsync(string userId, bool blocked, Actor actor);

    /// <summary>Ends the user's hosted-login sessions and revokes its refresh tokens (audited); a block and a delete do it too.</summary>
    [AlwaysInterleave, Alias("EndUserSessions")]
    Task<Outcome<SessionsEnded>> EndUserSessionsAsync(string userId, Actor actor);

    /// <summary>Deletes the user and its identities: those identities log in as new people afterwards.</summary>
    [AlwaysInterleave, Alias("DeleteUser")]
    Task<Outcome<bool>> DeleteUserAsync(string userId, Actor actor);

    /// <summary>Operators: the WeChat identities bound to a user.</summary>
    [AlwaysInterleave, Alias("ListIdentities")]
    Task<Outcome<UserIdentityView[]>> ListIdentitiesAsync(string userId);

    /// <summary>Operators: removes one WeChat identity from a user; that identity logs in as a new person afterwards.</summary>
    [AlwaysInterleave, Alias("UnbindIdentity")]
    Task<Outcome<bool>> UnbindIdentityAsync(string userId, string subject, Actor actor);
}
