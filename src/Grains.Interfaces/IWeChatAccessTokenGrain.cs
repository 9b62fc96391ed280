namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One WeChat mini program (keyed by AppID), for the whole cluster: its cached access token, the AppSecrets WeChat has
/// accepted for it, and which pool owns it. The token goes only to callers whose secret WeChat verified.
/// </summary>
[Alias("ScanLogin.IWeChatAccessTokenGrain")]
public interface IWeChatAccessTokenGrain : IGrainWithStringKey
{
    /// <summary>
    /// A valid token for a caller holding <paramref name="appSecret"/>. A secret not yet verified costs one WeChat call
    /// (which verifies it) instead of being handed the cached token; a secret WeChat keeps refusing is answered from
    /// memory, with exponentially longer pauses, until WeChat is asked again. Pass <paramref name="staleToken"/> after
    /// WeChat called it invalid (40001) to force one refresh.
    /// </summary>
    [Alias("GetToken")]
    Task<Outcome<string>> GetTokenAsync(string appSecret, string? staleToken = null);

    /// <summary>
    /// Records that an identity source (key "pool/identifier") uses this mini program. Refused when another pool
    /// owns it, unless <paramref name="shared"/> (the platform operator allows this AppID in several pools).
    /// </summary>
    [Alias("Claim")]
    Task<Outcome<bool>> ClaimAsync(string poolId, string sourceKey, bool shared);

    /// <summary>The source no longer uses this mini program; the last one to leave frees it for any pool.</summary>
    [Alias("Release")]
    Task ReleaseAsync(string sourceKey);
}
