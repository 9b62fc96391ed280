namespace ScanLogin.Grains.Interfaces;

/// <summary>One tenant's users. Serializes account creation and binding so one identity never yields two users.</summary>
[Alias("ScanLogin.IUserPoolGrain")]
public interface IUserPoolGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("GetSettings")]
    Task<UserPoolSettings?> GetSettingsAsync();

    [Alias("SaveSettings")]
    Task SaveSettingsAsync(UserPoolSettings settings);

    /// <summary>Finds the user behind a WeChat identity, or applies the identity source's policy for a new one.</summary>
    [Alias("ResolveWeChatLogin")]
    Task<AccountResolution> ResolveWeChatLoginAsync(WeChatLogin login);

    [ReadOnly, Alias("GetUser")]
    Task<UserProfile?> GetUserAsync(string userId);
}
