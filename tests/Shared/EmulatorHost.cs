using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ScanLogin.WeChatEmulator;

namespace ScanLogin.Tests.Shared;

/// <summary>The real WeChat emulator on a free loopback port, with helpers that play the phone.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    public const string AppId = WeChatEmulatorApp.DefaultAppId;
    public const string AppSecret = WeChatEmulatorApp.DefaultAppSecret;

    private readonly WebApplication _app;

    private EmulatorHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>Points the phone simulator's mini-program calls at a ScanLogin front end.</summary>
    public void UseScanLogin(Uri frontEnd) => _app.Services.GetRequiredService<PhoneSimulatorTarget>().BaseAddress = frontEnd;

    public HttpClient Http { get; }

    public static async Task<EmulatorHost> StartAsync(TimeProvider? time = null)
    {
        var app = WeChatEmulatorApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            if (time is not null) builder.Services.AddSingleton(time);
        });
        await app.StartAsync();
        return new EmulatorHost(app, new Uri(app.Urls.First() + "/"));
    }

    public async Task<string> CreateUserAsync(string? phone = "13800138000", string? unionId = null, string? nickname = "Mei", string appId = AppId)
    {
        var response = await Http.PostAsJsonAsync("__emulator/users", new { appId, nickname, phoneNumber = phone, unionId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedUser>())!.OpenId;
    }

    public Task<string> LoginCodeAsync(string openId, string appId = AppId) => CodeAsync("login-code", openId, appId);

    public Task<string> PhoneCodeAsync(string openId, string appId = AppId) => CodeAsync("phone-code", openId, appId);

    public async Task RegisterMiniProgramAsync(string appId, string appSecret) =>
        (await Http.PostAsJsonAsync("__emulator/mini-programs", new { appId, appSecret })).EnsureSuccessStatusCode();

    /// <summary>The next <paramref name="times"/> calls of a WeChat API answer <paramref name="errCode"/> (-1 busy, 40226 high-risk, 45011 ...).</summary>
    public async Task FaultAsync(string api, int errCode, int times = 1) =>
        (await Http.PostAsJsonAsync("__emulator/faults", new { api, errCode, times })).EnsureSuccessStatusCode();

    /// <summary>The mini program's code-image calls hang until <see cref="ReleaseAsync"/>.</summary>
    public async Task HoldAsync(string appId) => (await Http.PostAsJsonAsync("__emulator/holds", new { appId })).EnsureSuccessStatusCode();

    public async Task ReleaseAsync(string appId) => (await Http.DeleteAsync($"__emulator/holds?appId={appId}")).EnsureSuccessStatusCode();

    /// <summary>How many of the mini program's code-image calls are hanging on a hold now.</summary>
    public async Task<int> HeldAsync(string appId) =>
        (await Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"__emulator/holds?appId={appId}"))!["waiting"]!.GetValue<int>();

    public async Task ClearFaultsAsync() => (await Http.DeleteAsync("__emulator/faults")).EnsureSuccessStatusCode();

    /// <summary>Every access token of the mini program expires now (42001 until a fresh one is fetched).</summary>
    public async Task ExpireTokensAsync(string appId = AppId) =>
        (await Http.PostAsJsonAsync("__emulator/expire-tokens", new { appId })).EnsureSuccessStatusCode();

    /// <summary>The scenes of the mini-program codes WeChat generated for an AppID.</summary>
    public async Task<string[]> ScenesAsync(string appId) =>
        (await Http.GetFromJsonAsync<Scenes>($"__emulator/codes?appId={Uri.EscapeDataString(appId)}"))!.Values;

    /// <summary>How many access-token requests (answered or refused) WeChat got for an AppID.</summary>
    public async Task<int> TokenRequestsAsync(string appId) =>
        (await Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"__emulator/token-requests?appId={Uri.EscapeDataString(appId)}"))!["count"]!.GetValue<int>();

    /// <summary>How many jscode2session calls (answered or refused) WeChat got for an AppID.</summary>
    public async Task<int> SessionRequestsAsync(string appId = AppId) =>
        (await Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"__emulator/session-requests?appId={Uri.EscapeDataString(appId)}"))!["count"]!.GetValue<int>();

    private async Task<string> CodeAsync(string kind, string openId, string appId)
    {
        var response = await Http.PostAsJsonAsync($"__emulator/{kind}", new { appId, openId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IssuedCode>())!.Code;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record CreatedUser(string OpenId);

    private sealed record IssuedCode(string Code);

    private sealed record Scenes([property: System.Text.Json.Serialization.JsonPropertyName("scenes")] string[] Values);
}
