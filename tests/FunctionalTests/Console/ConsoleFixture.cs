using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ScanLogin.FunctionalTests.HostedLogin;
using ScanLogin.OperatorConsole;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.OperatorConsole;

/// <summary>
/// The whole system (<see cref="SystemFixture"/>: two silos, two front ends, the emulator with its phone simulator), the
/// operators' console as its own host calling front end A's admin API over HTTP, and headless Debian Chromium.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private WebApplication? _console;
    private IPlaywright? _playwright;

    public SystemFixture System { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public Uri Console { get; private set; } = null!;

    /// <summary>The console's clock for its sessions (idle expiry); everything else keeps real time.</summary>
    public FakeTimeProvider ConsoleTime { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Front end A: the admin API the console calls and the hosted login page the Try login pop-up shows.</summary>
    public Uri ScanLogin => System.A.BaseAddress!;

    public static string Artifacts => BrowserFixture.Artifacts;

    public async Task InitializeAsync()
    {
        // The hosted login page follows its issuer's URLs, so the pools' public base URL must be front end A itself.
        System.FrontEndAPort = TestPorts.FreePort();
        System.Overrides["ScanLogin:Oidc:PublicBaseUrl"] = $"http://127.0.0.1:{System.FrontEndAPort}";
        await System.InitializeAsync();
        System.Emulator.UseScanLogin(ScanLogin);
        Directory.CreateDirectory(Artifacts);
        // A shared, busy machine: the same generous waits as the hosted-login tests (each failure still says what it saw).
        Assertions.SetDefaultExpectTimeout(BrowserFixture.WaitTimeout);

        Console = new Uri($"http://127.0.0.1:{TestPorts.FreePort()}/");
        _console = ConsoleApp.Create([], builder =>
        {
            builder.WebHost.UseUrls(Console.ToString());
            builder.Logging.AddProvider(System.Logs);
            builder.Services.PostConfigureAll<CookieAuthenticationOptions>(o => o.TimeProvider = ConsoleTime);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ScanLogin:Console:AdminApiBaseUrl"] = ScanLogin.ToString(),
            });
        });
        await _console.StartAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh browser profile: 360 px wide (a phone) unless told otherwise.</summary>
    public async Task<IBrowserContext> NewContextAsync(string locale = "en-US", int width = 360, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(BrowserFixture.WaitTimeout);
        context.SetDefaultNavigationTimeout(BrowserFixture.WaitTimeout);
        return context;
    }

    /// <summary>A page of a fresh profile, signed in with this key.</summary>
    public async Task<IPage> SignInAsync(string key, int width = 360, string locale = "en-US")
    {
        var context = await NewContextAsync(locale, width);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Console, "signin").ToString());
        await page.Locator("#key").FillAsync(key);
        await page.Locator("#sign-in").ClickAsync();
        await Assertions.Expect(page.Locator("#sign-out")).ToBeVisibleAsync();
        return page;
    }

    public string Url(string path) => new Uri(Console, path.TrimStart('/')).ToString();

    public static Task ScreenshotAsync(IPage page, string name) => BrowserFixture.ScreenshotAsync(page, "console-" + name);

    private static string ChromiumPath() =>
        new[] { Environment.GetEnvironmentVariable("SCANLOGIN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => p is { Length: > 0 } && File.Exists(p))
        ?? throw new InvalidOperationException("Chromium is missing: deploy/test.sh installs Debian's chromium package.");

    public async Task DisposeAsync()
    {
        // What went wrong inside the hosts, for a failed run: errors and warnings of every host, next to the screenshots.
        await File.WriteAllLinesAsync(Path.Combine(Artifacts, "console-host-errors.log"),
            System.Logs.Lines.Where(l => l.Contains("Exception") || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).Take(200));
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_console is not null) { await _console.StopAsync(); await _console.DisposeAsync(); }
        await System.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
