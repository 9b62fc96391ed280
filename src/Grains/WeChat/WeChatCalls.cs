using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.WeChat;

/// <summary>
/// Calls that need the mini program's access token: fetched from its cluster-wide grain, refreshed once (and the call
/// tried again) if WeChat calls it invalid (40001) or expired (42001); a busy WeChat is retried as in <see cref="WeChatFailures"/>.
/// </summary>
public static class WeChatCalls
{
    public static async Task<Outcome<T>> WithAccessTokenAsync<T>(IGrainFactory grains, IdentitySourceRuntime source,
        Func<string, Task<T>> call, ILogger logger)
    {
        var tokens = grains.GetGrain<IWeChatAccessTokenGrain>(source.MiniProgramAppId);
        string? stale = null;
        for (var attempt = 0; ; attempt++)
        {
            var token = await tokens.GetTokenAsync(source.MiniProgramAppSecret, stale);
            if (token.Value is null) return token.Failure!;
            try
            {
                var current = token.Value;
                return await WeChatFailures.RetryWhileBusyAsync(() => call(current), logger);
            }
            catch (WeChatApiException e) when (e.ErrCode is WeChatErrorCodes.InvalidCredential or WeChatErrorCodes.AccessTokenExpired && attempt == 0)
            {
                stale = token.Value;
            }
            catch (Exception e) when (WeChatFailures.IsWeChatTrouble(e))
            {
                return WeChatFailures.Map(e, logger);
            }
        }
    }
}
