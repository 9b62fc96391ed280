using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.WeChat;

/// <summary>Turns what went wrong talking to WeChat into the product's failure codes.</summary>
public static class WeChatFailures
{
    /// <summary>Runs a WeChat call; WeChat errors and network trouble come back as a <see cref="Failure"/>.</summary>
    public static async Task<Outcome<T>> CallAsync<T>(Func<Task<T>> call, ILogger logger)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsWeChatTrouble(e))
        {
            return Map(e, logger);
        }
    }

    /// <summary>WeChat said no, or could not be reached: both are answers for the caller, not crashes.</summary>
    public static bool IsWeChatTrouble(Exception e) => e is WeChatApiException or HttpRequestException or TaskCanceledException or TimeoutException;

    public static Failure Map(Exception e, ILogger logger)
    {
        if (e is not WeChatApiException wechat)
        {
            logger.LogWarning(e, "WeChat could not be reached");
            return new Failure(FailureCodes.WeChatUnavailable, "WeChat could not be reached; try again.");
        }
        var failure = From(wechat);
        if (failure.Code is FailureCodes.WeChatMisconfigured or FailureCodes.WeChatUnavailable)
            logger.LogWarning("WeChat answered {ErrCode}: {ErrMsg}", wechat.ErrCode, wechat.ErrMsg);
        return failure;
    }

    public static Failure From(WeChatApiException e) => e.ErrCode switch
    {
        WeChatErrorCodes.InvalidCode => new(FailureCodes.WeChatCodeInvalid, "The WeChat code is invalid or has expired."),
        WeChatErrorCodes.CodeUsed => new(FailureCodes.WeChatCodeUsed, "The WeChat code has already been used."),
        WeChatErrorCodes.RateLimited => new(FailureCodes.WeChatRateLimited, "WeChat is limiting this user's requests; try again in a minute."),
        WeChatErrorCodes.HighRiskUser => new(FailureCodes.WeChatUserBlocked, "WeChat blocked this user as high-risk."),
        WeChatErrorCodes.Busy => new(FailureCodes.WeChatUnavailable, "WeChat is busy; try again."),
        _ => new(FailureCodes.WeChatMisconfigured, $"WeChat refused the mini program's credentials or request ({e.ErrCode})."),
    };
}
