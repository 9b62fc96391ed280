using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ScanLogin.Tests.Shared;
using ScanLogin.Grains.Interfaces;
using ScanLogin.SampleSite;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The whole system (its own <see cref="SystemFixture"/>: two silos, two front ends, the emulator with its phone simulator),
/// the sample site on the stock OpenID Connect handler, and headless Chromium (Debian's, driven by Playwright; no browser
/// download). One tenant whose application is the sample site; screenshots go to <see cref="Artifacts"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string AppName = "Sample site";
    public const string SourceName = "WeChat scan";
    public const string LoginOnlySource = "wechat-only";
    public const string AskBindingSource = "wechat-bind";

    private WebApplication? _sample;
    private IPlaywright? _playwright;

    public SystemFixture System { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public Tenant Tenant { get; private set; } = null!;

    public Uri SampleSite { get; private set; } = null!;

    /// <summary>Front end A: what the browser talks to (the hosted page, its SSE and long-polls).</summary>
    public Uri ScanLogin => System.A.BaseAddress!;

    public string Issuer => new Uri(ScanLogin, $"oidc/{Tenant.PoolId}").ToString();

    public string SignInCallback => new Uri(SampleSite, "signin-oidc").ToString();

    public string PopupCallback => new Uri(SampleSite, "popup/callback").ToString();

    /// <summary>Screenshots of every page state, under the test output folder.</summary>
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "browser-artifacts");

    public async Task InitializeAsync()
    {
        // The browser follows the discovery document's URLs, so the pools' public base URL must be front end A itself.
        System.FrontEndAPort = TestPorts.FreePort();
        System.Overrides["ScanLogin:Oidc:PublicBaseUrl"] = $"http://127.0.0.1:{System.FrontEndAPort}";
        await System.InitializeAsync();
        System.Emulator.UseScanLogin(ScanLogin);
        Directory.CreateDirectory(Artifacts);
        Console.WriteLine($"Browser test screenshots: {Artifacts}");

        var port = TestPorts.FreePort();
        SampleSite = new Uri($"http://127.0.0.1:{port}/");
        Tenant = new Tenant("pool-" + Guid.NewGuid().ToString("N")[..8], "app-" + Guid.NewGuid().ToString("N")[..8], "app-secret-" + Guid.NewGuid().ToString("N"));
        var grains = System.Grains;
        await grains.GetGrain<IUserPoolGrain>(Tenant.PoolId).SaveSettingsAsync(new UserPoolSettings(Tenant.PoolId, "Browser pool"));
        await grains.GetGrain<IApplicationGrain>(Tenant.AppId).SaveAsync(new ApplicationSettings(Tenant.AppId, Tenant.PoolId, AppName, null,
            [SampleSite.GetLeftPart(UriPartial.Authority)], [SignInCallback, PopupCallback]), Tenant.AppSecret);
        await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(Tenant.PoolId, Tenant.Source)).SaveAsync(
            new IdentitySourceSettings(Tenant.PoolId, Tenant.Source, SourceName, null, true, false, null, LoginMode.LoginAndRegister,
                AccountAssociation.Off, IdentitySourceSettings.DefaultTicketLifetime, [Tenant.AppId]), null);
        await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(Tenant.PoolId, LoginOnlySource)).SaveAsync(
            new IdentitySourceSettings(Tenant.PoolId, LoginOnlySource, "WeChat (members only)", null, true, false, null, LoginMode.LoginOnly,
                AccountAssociation.Off, IdentitySourceSettings.DefaultTicketLifetime, [Tenant.AppId]), null);

        await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(Tenant.PoolId, AskBindingSource)).SaveAsync(
            new IdentitySourceSettings(Tenant.PoolId, AskBindingSource, "WeChat (link an account)", null, true, false, null, LoginMode.LoginAndRegister,
                AccountAssociation.AskBinding, IdentitySourceSettings.DefaultTicketLifetime, [Tenant.AppId]), null);

        _sample = SampleSiteApp.Create([], builder =>
        {
            builder.WebHost.UseUrls(SampleSite.ToString());
            builder.Logging.AddProvider(System.Logs);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Oidc:Authority"] = Issuer,
                ["Oidc:ClientId"] = Tenant.AppId,
                ["Oidc:ClientSecret"] = Tenant.AppSecret,
            });
        });
        await _sample.StartAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            // Root in CI containers: Chromium's sandbox needs user namespaces it may not get.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh browser profile (its own cookies): a 360 px wide phone-sized window unless told otherwise.</summary>
    public Task<IBrowserContext> NewContextAsync(string locale = "en-US", int width = 360, int height = 760) =>
        Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, ViewportSize = new ViewportSize { Width = width, Height = height } });

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });

    private static string ChromiumPath() =>
        new[] { Environment.GetEnvironmentVariable("SCANLOGIN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => p is { Length: > 0 } && File.Exists(p))
        ?? throw new InvalidOperationException("Chromium is missing: deploy/test.sh installs Debian's chromium package.");

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_sample is not null) { await _sample.StopAsync(); await _sample.DisposeAsync(); }
        await System.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
