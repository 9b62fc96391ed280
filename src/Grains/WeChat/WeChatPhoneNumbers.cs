using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.WeChat;

/// <summary>The verified phone number behind a phone-number code: for a ticket's confirm and for a login inside the mini program.</summary>
public static class WeChatPhoneNumbers
{
    /// <summary>Reads the number (E.164, "+86...") and checks WeChat issued it for this source's mini program and user.</summary>
    public static async Task<Outcome<string>> GetAsync(IGrainFactory grains, IWeChatApi wechat, IdentitySourceRuntime source, string phoneCode,
        string openId, ILogger logger)
    {
        var info = await WeChatCalls.WithAccessTokenAsync(grains, source, token => wechat.GetUserPhoneNumberAsync(token, phoneCode, openId), logger);
        if (info.Value is not { } phone) return info.Failure!;
        if (phone.WatermarkAppId != source.MiniProgramAppId)
            return new Failure(FailureCodes.PhoneMismatch, "The phone number was issued for another mini program.");
        return $"+{phone.CountryCode}{phone.PurePhoneNumber}";
    }
}
