namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One tenant: its settings, its operators' API keys, and its users. Serializes account creation and binding
/// so one identity never yields two users.
/// </summary>
[Alias("ScanLogin.IUserPoolGrain")]
public interface IUserPoolGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("GetSettings")]
    Task<UserPoolSettings?> GetSettingsAsync();

    /// <summary>Creates or replaces the pool as the system (seeding, tests); operators use Create and Update.</summary>
    [Alias("SaveSettings")]
    Task SaveSettingsAsync(UserPoolSettings settings);

    [ReadOnly, Alias("GetVersioned")]
    Task<Versioned<UserPoolSettings>?> GetVersionedAsync();

    [Alias("Create")]
    Task<Outcome<Versioned<UserPoolSettings>>> CreateAsync(UserPoolSettings settings, Actor actor);

    [Alias("Update")]
    Task<Outcome<Versioned<UserPoolSettings>>> UpdateAsync(UserPoolSettings settings, int? ifRevision, Actor actor);

    /// <summary>Refused while the pool still has applications or identity sources.</summary>
    [Alias("Delete")]
    Task<Outcome<bool>> DeleteAsync(int? ifRevision, Actor actor);

    [Alias("CreateApiKey")]
    Task<Outcome<CreatedApiKey>> CreateApiKeyAsync(string name, Actor actor);

    [ReadOnly, Alias("ListApiKeys")]
    Task<ApiKeyView[]> ListApiKeysAsync();

    [Alias("DeleteApiKey")]
    Task<Outcome<bool>> DeleteApiKeyAsync(string keyId, Actor actor);

    /// <summary>Constant-time check of a pool key's secret; false for unknown keys or pools.</summary>
    [ReadOnly, Alias("VerifyApiKey")]
    Task<bool> VerifyApiKeyAsync(string keyId, string secret);

    /// <summary>Finds the user behind a WeChat identity, or applies the identity source's policy for a new one.</summary>
    [Alias("ResolveWeChatLogin")]
    Task<AccountResolution> ResolveWeChatLoginAsync(WeChatLogin login);

    [ReadOnly, Alias("GetUser")]
    Task<UserProfile?> GetUserAsync(string userId);
}
