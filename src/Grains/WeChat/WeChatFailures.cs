using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.WeChat;

/// <summary>Turns what went wrong talking to WeChat into the product's failure codes.</summary>
public static class WeChatFailures
{
    /// <summary>Pauses before the second and third try when WeChat answers -1 (busy): bounded, about 0.3 s in all.</summary>
    public static readonly TimeSpan[] BusyBackoff = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)];

    /// <summary>Runs a WeChat call; WeChat errors and network trouble come back as a <see cref="Failure"/>.</summary>
    public static async Task<Outcome<T>> CallAsync<T>(Func<Task<T>> call, ILogger logger)
    {
        try
        {
            return await RetryWhileBusyAsync(call, logger);
        }
        catch (Exception e) when (IsWeChatTrouble(e))
        {
            return Map(e, logger);
        }
    }

    /// <summary>
    /// WeChat documents -1 as "system busy, try again": try up to <see cref="BusyBackoff"/>.Length more times, with a
    /// growing pause and some jitter, then let the -1 through (it maps to wechat_unavailable).
    /// </summary>
    public static async Task<T> RetryWhileBusyAsync<T>(Func<Task<T>> call, ILogger logger)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (WeChatApiException e) when (e.ErrCode == WeChatErrorCodes.Busy && attempt < BusyBackoff.Length)
            {
                var pause = BusyBackoff[attempt] + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 25));
                logger.LogInformation("WeChat was busy ({ErrMsg}); trying again in {Pause} ms", e.ErrMsg, (int)pause.TotalMilliseconds);
                await Task.Delay(pause);
            }
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
        // Link generation: more than 100 a second, or the mini program's daily quota is used up; both pass with time.
        WeChatErrorCodes.LinksTooFast => new(FailureCodes.WeChatRateLimited, "WeChat is limiting how fast links are made; try again in a moment."),
        WeChatErrorCodes.QuotaReached => new(FailureCodes.WeChatRateLimited, "The mini program has used up today's WeChat quota for this call."),
        _ => new(FailureCodes.WeChatMisconfigured, $"WeChat refused the mini program's credentials or request ({e.ErrCode})."),
    };
}
