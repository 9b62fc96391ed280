namespace ScanLogin.Grains.RateLimits;

/// <summary>
/// Phone-side attempts per WeChat identity (mini program AppID + openid): known only after WeChat has answered a
/// login code, so the ticket grain asks here. The key holds a hash, never the openid.
/// </summary>
public static class PhoneAttempts
{
    public static async Task<Failure?> CheckAsync(IGrainFactory grains, string applicationId, string miniProgramAppId, string openId)
    {
        var subject = Secrets.Hash("rate-limit-wechat-user", $"{miniProgramAppId}:{openId}");
        var decision = await grains.GetGrain<IRateLimitGrain>(RateLimitKeys.Of(RateLimitKeys.PhoneAttemptsPerWeChatUser, applicationId, subject)).TryTakeAsync();
        return decision.Allowed ? null : new Failure(FailureCodes.RateLimited,
            $"Too many attempts from this WeChat user; try again in {Math.Ceiling(decision.RetryAfter.TotalSeconds)} s.") { RetryAfter = decision.RetryAfter };
    }
}
