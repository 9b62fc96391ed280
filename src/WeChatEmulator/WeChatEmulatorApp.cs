namespace ScanLogin.WeChatEmulator;

/// <summary>Builds the emulator: WeChat's endpoints plus the dev endpoints, on 127.0.0.1:5300 unless told otherwise.</summary>
public static class WeChatEmulatorApp
{
    public const string DefaultAppId = "wx0000000000000001";
    public const string DefaultAppSecret = "emulator-default-secret";

    public sealed record MiniProgram(string AppId, string AppSecret);

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
            builder.WebHost.UseUrls("http://127.0.0.1:5300");
        builder.Services.AddSingleton(TimeProvider.System);
        configure?.Invoke(builder);
        builder.Services.AddSingleton(sp =>
        {
            var state = new EmulatorState(sp.GetRequiredService<TimeProvider>());
            var configured = builder.Configuration.GetSection("Emulator:MiniPrograms").Get<MiniProgram[]>() ?? [];
            foreach (var app in configured.Length > 0 ? configured : [new MiniProgram(DefaultAppId, DefaultAppSecret)])
                state.AddApp(app.AppId, app.AppSecret);
            return state;
        });

        builder.Services.AddSingleton<EmulatedLinks>();
        builder.Services.AddHttpClient();
        builder.Services.AddSingleton(new PhoneSimulatorTarget(new Uri(builder.Configuration["Emulator:ScanLoginBaseAddress"] ?? "http://127.0.0.1:5000/")));

        var webApp = builder.Build();
        webApp.UseStaticFiles();
        webApp.MapWeChatApi();
        webApp.MapMiniProgramLinks();
        webApp.MapEmulatorDevApi();
        webApp.MapPhoneSimulator();
        return webApp;
    }
}
