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

/// <summary>How an identity source's WeChat calls are going, for the operator's admin view.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.WeChatHealth")]
public sealed record WeChatHealth(
    [property: Id(0)] string? LastErrorCode,
    [property: Id(1)] string? LastErrorMessage,
    [property: Id(2)] DateTimeOffset? LastErrorAt,
    [property: Id(3)] int ConsecutiveFailures,
    [property: Id(4)] DateTimeOffset? NextAttemptAt,
    [property: Id(5)] DateTimeOffset? LastSuccessAt);

/// <summary>Exponential pauses after consecutive WeChat failures: 1 s, 2 s, 4 s, ... at most 5 minutes.</summary>
public static class WeChatBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    public static TimeSpan After(int consecutiveFailures) =>
        consecutiveFailures <= 0 ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(Max.Ticks, First.Ticks << Math.Min(consecutiveFailures - 1, 20)));
}
