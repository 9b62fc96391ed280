using System.Diagnostics;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.QrCodes;
using ScanLogin.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ScanLogin.FunctionalTests.Authing;

/// <summary>
/// The official Authing JS SDK (authing-js-sdk 4.23.55, installed by deploy/test.sh with npm ci from tests/AuthingSdk)
/// logs in against the running front end; node plays the PC site, the phone goes through the WeChat emulator. Each
/// scenario is tests/AuthingSdk/scenarios.mjs run by node; its assertions are on what the SDK returns and calls back.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class AuthingSdkTests(SystemFixture system, ITestOutputHelper output)
{
    public const string Origin = "https://shop.example";

    [Fact]
    public Task A_complete_login_with_the_SDK_exchanges_in_the_browser_once() => RunAsync("login", authingBrowserExchange: true);

    [Fact]
    public Task By_default_only_the_backend_with_the_app_secret_exchanges() => RunAsync("backend");

    [Fact]
    public Task A_cancel_on_the_phone_reaches_the_SDK_onCancel() => RunAsync("cancel");

    [Fact]
    public Task An_expired_code_reaches_the_SDK_onExpired() => RunAsync("expiry");

    [Fact]
    public Task An_unknown_random_is_2241_and_stops_the_SDK_polling() => RunAsync("unknown");

    [Fact]
    public Task A_login_the_pool_refuses_reaches_the_SDK_onError_with_its_reason() => RunAsync("refused", mode: LoginMode.LoginOnly);

    [Fact]
    public Task The_SDK_clients_of_other_scenes_are_refused_in_the_envelope() => RunAsync("scenes");

    private async Task RunAsync(string scenario, bool authingBrowserExchange = false, LoginMode mode = LoginMode.LoginAndRegister)
    {
        var tenant = await system.CreateTenantAsync(mode, allowedOrigins: [Origin]);
        if (authingBrowserExchange)
        {
            var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
            await app.SaveAsync((await app.GetAsync())! with { AuthingBrowserExchange = true }, null);
        }

        var start = new ProcessStartInfo("node", ["scenarios.mjs", scenario])
        {
            WorkingDirectory = SdkDirectory(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SCANLOGIN_URL"] = system.A.BaseAddress!.ToString();
        start.Environment["EMULATOR_URL"] = system.Emulator.BaseAddress.ToString();
        start.Environment["APP_ID"] = tenant.AppId;
        start.Environment["APP_SECRET"] = tenant.AppSecret;
        start.Environment["ORIGIN"] = Origin;
        start.Environment["WECHAT_APP_ID"] = EmulatorHost.AppId;
        start.Environment["QR_LINK_PREFIX"] = new QrOptions().MiniProgramLinkPrefix;

        using var node = Process.Start(start)!;
        var errors = node.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await node.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            output.WriteLine(line);
            // The scenario asks for the ticket clock to move (the silos' fake clock), then carries on.
            if (line.StartsWith("ADVANCE ", StringComparison.Ordinal))
            {
                system.Time.Advance(TimeSpan.FromSeconds(int.Parse(line["ADVANCE ".Length..])));
                await node.StandardInput.WriteLineAsync("advanced");
                await node.StandardInput.FlushAsync();
            }
        }
        await node.WaitForExitAsync(timeout.Token);
        var stderr = await errors;
        output.WriteLine(stderr);
        Assert.True(node.ExitCode == 0, $"node scenarios.mjs {scenario} failed:\n{stderr}");
        Assert.Equal($"ok {scenario}", lines.LastOrDefault());
    }

    /// <summary>tests/AuthingSdk of this checkout, with its node_modules installed (deploy/test.sh runs npm ci there).</summary>
    private static string SdkDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var sdk = Path.Combine(dir.FullName, "tests", "AuthingSdk");
            if (!File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln")) || !Directory.Exists(sdk)) continue;
            Assert.True(Directory.Exists(Path.Combine(sdk, "node_modules", "authing-js-sdk")),
                $"authing-js-sdk is not installed: run `npm ci` in {sdk} (deploy/test.sh does).");
            return sdk;
        }
        throw new DirectoryNotFoundException("tests/AuthingSdk not found above " + AppContext.BaseDirectory);
    }
}
