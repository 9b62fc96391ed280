using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.WeChat;

/// <summary>
/// One mini program (keyed by AppID) for the whole cluster. Its access token is kept in memory only (after a restart
/// stable_token hands back the same token) and handed only to callers whose AppSecret WeChat accepted: knowing an
/// AppID, which is public, must not be enough to spend its owner's quota. Which pool owns the AppID is stored.
/// </summary>
public sealed class WeChatAccessTokenGrain(
    [PersistentState("mini-program", StorageNames.Configuration)] IPersistentState<MiniProgramOwnership> ownership,
    IWeChatApi wechat, TimeProvider time, ILogger<WeChatAccessTokenGrain> logger)
    : Grain, IWeChatAccessTokenGrain
{
    private const string SecretPurpose = "wechat-app-secret";
    // WeChat rotates a token about five minutes before it expires; refresh before then.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private string? _token;
    private DateTimeOffset _refreshAt;
    // Hashes of the secrets WeChat accepted for this AppID (a rotation may leave two in use for a while).
    private readonly HashSet<string> _verified = [];
    // Secrets WeChat refused, or calls that failed: answered from memory until the pause is over.
    private readonly Dictionary<string, (Failure Failure, int Failures, DateTimeOffset RetryAt)> _refused = [];

    async Task<Outcome<string>> IWeChatAccessTokenGrain.GetTokenAsync(string appSecret, string? staleToken)
    {
        var now = time.GetUtcNow();
        var secretHash = Secrets.Hash(SecretPurpose, appSecret);
        if (_refused.TryGetValue(secretHash, out var refused) && now < refused.RetryAt) return refused.Failure;
        // Only the caller holding the current token may force a refresh: force_refresh is limited to 20 a day.
        var force = staleToken is not null && staleToken == _token && _verified.Contains(secretHash);
        if (_token is not null && !force && now < _refreshAt && _verified.Contains(secretHash)) return _token;

        // Asking WeChat with this secret is also how it gets verified: a wrong one gets an error, never the cached token.
        var app = new WeChatAppCredentials(this.GetPrimaryKeyString(), appSecret);
        var fetched = await WeChatFailures.CallAsync(() => wechat.GetStableAccessTokenAsync(app, force), logger);
        if (fetched.Value is not { } token)
        {
            var failures = (_refused.TryGetValue(secretHash, out var before) ? before.Failures : 0) + 1;
            if (fetched.Failure!.Code == FailureCodes.WeChatMisconfigured) _verified.Remove(secretHash);
            if (_refused.Count > 100) _refused.Clear(); // bounded: guessed secrets cannot grow it without limit
            _refused[secretHash] = (fetched.Failure, failures, now + WeChatBackoff.After(failures));
            return fetched.Failure;
        }

        _refused.Remove(secretHash);
        _verified.Add(secretHash);
        _token = token.Token;
        _refreshAt = now + (token.ExpiresIn > RefreshMargin * 2 ? token.ExpiresIn - RefreshMargin : token.ExpiresIn / 2);
        return _token;
    }

    async Task<Outcome<bool>> IWeChatAccessTokenGrain.ClaimAsync(string poolId, string sourceKey, bool shared)
    {
        var state = ownership.State;
        if (state.PoolId is { } owner && owner != poolId && !shared)
            return new Failure(AdminFailureCodes.MiniProgramInUse,
                $"miniProgramAppId: {this.GetPrimaryKeyString()} is used by another pool; a mini program belongs to one pool.");
        if (state.Sources.Contains(sourceKey) && state.PoolId is not null) return true;
        state.PoolId ??= poolId;
        state.Sources.Add(sourceKey);
        await ownership.WriteStateAsync();
        return true;
    }

    async Task IWeChatAccessTokenGrain.ReleaseAsync(string sourceKey)
    {
        var state = ownership.State;
        if (!state.Sources.Remove(sourceKey)) return;
        // The first pool keeps ownership while any of its sources remain; when only others' (shared) remain, the next one owns it.
        var poolOf = (string key) => key[..key.IndexOf('/')];
        if (state.PoolId is { } owner && !state.Sources.Any(s => poolOf(s) == owner)) state.PoolId = state.Sources.Select(poolOf).FirstOrDefault();
        await ownership.WriteStateAsync();
    }
}

/// <summary>Which pool's identity sources use a mini program (the first to claim it owns it).</summary>
[GenerateSerializer, Alias("ScanLogin.MiniProgramOwnership")]
public sealed class MiniProgramOwnership
{
    [Id(0)] public string? PoolId { get; set; }
    [Id(1)] public HashSet<string> Sources { get; set; } = [];
}
