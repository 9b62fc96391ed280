using Microsoft.Extensions.Logging;
using ScanLogin.Grains.Access;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.WeChat;

/// <summary>
/// Makes the link that opens the mini program's confirm page for a ticket (wxa/generate_urllink or wxa/generatescheme),
/// with the ticket's identity source's mini program. WeChat caps these per day, so each application's pace is limited
/// here (<see cref="RateLimitKeys.WeChatLinksPerApplication"/>) and the ticket keeps the one it got.
/// </summary>
public static class WeChatOpenLinks
{
    public static async Task<Outcome<OpenInWeChatLink>> MakeAsync(IGrainFactory grains, IWeChatApi wechat, MiniProgramOptions options,
        string poolId, string identitySource, string appId, string ticketId, DateTimeOffset now, ILogger logger)
    {
        var runtime = await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, identitySource)).GetRuntimeAsync();
        if (AccessPolicy.CheckSource(runtime?.Settings, identitySource, appId) is { } unusable) return unusable;
        if (string.IsNullOrEmpty(runtime!.MiniProgramAppId) || string.IsNullOrEmpty(runtime.MiniProgramAppSecret))
            return new Failure(FailureCodes.WeChatMisconfigured, "The identity source has no mini program configured.");

        var pace = await grains.GetGrain<IRateLimitGrain>(RateLimitKeys.Of(RateLimitKeys.WeChatLinksPerApplication, appId, appId)).TryTakeAsync();
        if (!pace.Allowed)
            return new Failure(FailureCodes.RateLimited, $"This application makes too many WeChat links; try again in {Math.Ceiling(pace.RetryAfter.TotalSeconds)} s.")
                { RetryAfter = pace.RetryAfter };

        var days = Math.Clamp(options.LinkLifetimeDays, 1, 30);
        var request = new WeChatLinkRequest(options.ConfirmPage, "ticket=" + ticketId, options.EnvVersion, days);
        var scheme = string.Equals(options.SameDeviceLink, "Scheme", StringComparison.OrdinalIgnoreCase);
        var made = await WeChatCalls.WithAccessTokenAsync(grains, runtime,
            token => scheme ? wechat.GenerateSchemeAsync(token, request) : wechat.GenerateUrlLinkAsync(token, request), logger);
        return made.Value is { } url ? new OpenInWeChatLink(url, now + TimeSpan.FromDays(days)) : made.Failure!;
    }
}
