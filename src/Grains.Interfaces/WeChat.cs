namespace ScanLogin.Grains.Interfaces;

/// <summary>The one cached WeChat access token of a mini program, for the whole cluster (keyed by AppID).</summary>
[Alias("ScanLogin.IWeChatAccessTokenGrain")]
public interface IWeChatAccessTokenGrain : IGrainWithStringKey
{
    /// <summary>A valid token; pass <paramref name="staleToken"/> after WeChat called it invalid (40001) to force one refresh.</summary>
    [Alias("GetToken")]
    Task<Outcome<string>> GetTokenAsync(string appSecret, string? staleToken = null);
}
