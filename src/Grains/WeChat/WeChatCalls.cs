using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.WeChat;

/// <summary>Calls that need the mini program's access token: fetched from its cluster-wide grain, refreshed once if WeChat calls it stale.</summary>
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
                return await call(token.Value);
            }
            catch (WeChatApiException e) when (e.ErrCode == WeChatErrorCodes.InvalidCredential && attempt == 0)
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
