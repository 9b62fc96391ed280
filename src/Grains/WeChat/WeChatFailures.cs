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
        catch (WeChatApiException e)
        {
            var failure = From(e);
            if (failure.Code is FailureCodes.WeChatMisconfigured or FailureCodes.WeChatUnavailable)
                logger.LogWarning("WeChat answered {ErrCode}: {ErrMsg}", e.ErrCode, e.ErrMsg);
            return failure;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            logger.LogWarning(e, "WeChat could not be reached");
            return new Failure(FailureCodes.WeChatUnavailable, "WeChat could not be reached; try again.");
        }
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
