using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ScanLogin.Grains.WeChat;

namespace ScanLogin.Grains.Observability;

/// <summary>
/// Counts every WeChat call by API and outcome (meter "ScanLogin.WeChat"): "ok", WeChat's errcode, or "unreachable".
/// A decorator so the client itself stays about the wire format.
/// </summary>
public sealed class MeteredWeChatApi(IWeChatApi inner) : IWeChatApi
{
    public const string MeterName = "ScanLogin.WeChat";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("scanlogin.wechat.calls", "{call}", "Calls to WeChat's server API by api and outcome");

    public Task<WeChatSession> Code2SessionAsync(WeChatAppCredentials app, string jsCode, CancellationToken ct = default) =>
        CountAsync("jscode2session", () => inner.Code2SessionAsync(app, jsCode, ct));

    public Task<WeChatAccessToken> GetStableAccessTokenAsync(WeChatAppCredentials app, bool forceRefresh, CancellationToken ct = default) =>
        CountAsync("stable_token", () => inner.GetStableAccessTokenAsync(app, forceRefresh, ct));

    public Task<WeChatPhoneInfo> GetUserPhoneNumberAsync(string accessToken, string code, string? openId, CancellationToken ct = default) =>
        CountAsync("getuserphonenumber", () => inner.GetUserPhoneNumberAsync(accessToken, code, openId, ct));

    public Task<WeChatCodeImage> GetUnlimitedCodeAsync(string accessToken, WeChatCodeRequest request, CancellationToken ct = default) =>
        CountAsync("getwxacodeunlimit", () => inner.GetUnlimitedCodeAsync(accessToken, request, ct));

    public Task<string> GenerateUrlLinkAsync(string accessToken, WeChatLinkRequest request, CancellationToken ct = default) =>
        CountAsync("generate_urllink", () => inner.GenerateUrlLinkAsync(accessToken, request, ct));

    public Task<string> GenerateSchemeAsync(string accessToken, WeChatLinkRequest request, CancellationToken ct = default) =>
        CountAsync("generatescheme", () => inner.GenerateSchemeAsync(accessToken, request, ct));

    private static async Task<T> CountAsync<T>(string api, Func<Task<T>> call)
    {
        var outcome = "unreachable";
        try
        {
            var result = await call();
            outcome = "ok";
            return result;
        }
        catch (WeChatApiException e)
        {
            outcome = e.ErrCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw;
        }
        finally
        {
            Calls.Add(1, new KeyValuePair<string, object?>("api", api), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>Wraps whichever <see cref="IWeChatApi"/> was registered last.</summary>
    public static IServiceCollection Decorate(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IWeChatApi));
        if (registered is null) return services;
        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(typeof(IWeChatApi), sp => new MeteredWeChatApi(Resolve(sp, registered)), registered.Lifetime));
        return services;
    }

    private static IWeChatApi Resolve(IServiceProvider sp, ServiceDescriptor d) => (IWeChatApi)(d.ImplementationInstance
        ?? d.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
