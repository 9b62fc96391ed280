using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.WeChat;

/// <summary>
/// Holds one mini program's access token for the whole cluster. Kept in memory only: after a restart the
/// stable_token endpoint hands back the same token, so there is nothing worth writing to disk.
/// </summary>
public sealed class WeChatAccessTokenGrain(IWeChatApi wechat, TimeProvider time, ILogger<WeChatAccessTokenGrain> logger)
    : Grain, IWeChatAccessTokenGrain
{
    // WeChat rotates a token about five minutes before it expires; refresh before then.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private string? _token;
    private DateTimeOffset _refreshAt;

    async Task<Outcome<string>> IWeChatAccessTokenGrain.GetTokenAsync(string appSecret, string? staleToken)
    {
        var now = time.GetUtcNow();
        // Only the caller holding the current token may force a refresh: force_refresh is limited to 20 a day.
        var force = staleToken is not null && staleToken == _token;
        if (_token is not null && !force && now < _refreshAt) return _token;

        var app = new WeChatAppCredentials(this.GetPrimaryKeyString(), appSecret);
        var fetched = await WeChatFailures.CallAsync(() => wechat.GetStableAccessTokenAsync(app, force), logger);
        if (fetched.Value is not { } token) return fetched.Failure!;

        _token = token.Token;
        _refreshAt = now + (token.ExpiresIn > RefreshMargin * 2 ? token.ExpiresIn - RefreshMargin : token.ExpiresIn / 2);
        return _token;
    }
}
