using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ScanLogin.FunctionalTests.HostedLogin;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.PoolHosts;

/// <summary>
/// The whole system (<see cref="SystemFixture"/>) with ScanLogin:Oidc:PoolHostTemplate http://{pool}.login.test:{port of front end A},
/// a tiny customer site on loopback (it serves custom domains' challenge tokens and is every callback), names under
/// <see cref="DomainSuffix"/> resolved by the silos to that site (ScanLogin:Domains:Resolve), and headless Chromium whose
/// host-resolver rules point *.login.test and *.shop.test at loopback, as DNS would point them at ScanLogin.
/// </summary>
public sealed class PoolHostFixture : IAsyncLifetime
{
    public const string DomainSuffix = ".shop.test";
    public const string SourceCallbackPath = "/connect/callback";
    public const string AppCallbackPath = "/callback";

    private WebApplication? _site;
    private IPlaywright? _playwright;

    public SystemFixture System { get; } = new();

    /// <summary>Front end A's port: the template's and every pool host's.</summary>
    public int Port { get; private set; }

    /// <summary>The customer site: challenge tokens, callbacks.</summary>
    public Uri Site { get; private set; } = null!;

    /// <summary>Challenge tokens the site serves (as an operator would publish them on the domain).</summary>
    public ConcurrentDictionary<string, bool> ServedTokens { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public string PoolHost(string poolId) => $"http://{poolId}.login.test:{Port}";

    public string SourceCallback => new Uri(Site, SourceCallbackPath).ToString();

    public string AppCallback => new Uri(Site, AppCallbackPath).ToString();

    public async Task InitializeAsync()
    {
        var sitePort = TestPorts.FreePort();
        Site = new Uri($"http://127.0.0.1:{sitePort}/");
        var site = WebApplication.CreateSlimBuilder();
        site.WebHost.UseUrls(Site.ToString());
        _site = site.Build();
        _site.MapGet("/.well-known/scanlogin-challenge/{token}", (string token) => ServedTokens.ContainsKey(token) ? Results.Text(token) : Results.NotFound());
        _site.MapGet(AppCallbackPath, () => Results.Text("app callback"));
        _site.MapGet(SourceCallbackPath, () => Results.Text("source callback"));
        await _site.StartAsync();

        Port = TestPorts.FreePort();
        System.FrontEndAPort = Port;
        System.Overrides["ScanLogin:Oidc:PoolHostTemplate"] = $"http://{{pool}}.login.test:{Port}";
        System.Overrides["ScanLogin:Oidc:DomainRefresh"] = "00:00:00.500";
        System.Overrides[$"ScanLogin:Domains:Resolve:*{DomainSuffix}"] = $"127.0.0.1:{sitePort}";
        await System.InitializeAsync();

        Assertions.SetDefaultExpectTimeout(BrowserFixture.WaitTimeout);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = new[] { Environment.GetEnvironmentVariable("SCANLOGIN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
                .FirstOrDefault(p => p is { Length: > 0 } && File.Exists(p)) ?? throw new InvalidOperationException("Chromium is missing."),
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", $"--host-resolver-rules=MAP *.login.test 127.0.0.1, MAP *{DomainSuffix} 127.0.0.1"],
        });
    }

    /// <summary>
    /// A pool whose application (<paramref name="appId"/>, else a new id) calls back to the site, and a source (with its own callback URL)
    /// enabled for it; <paramref name="moreSources"/> names further sources like it.
    /// </summary>
    public async Task<Tenant> CreateTenantAsync(string? sourceCallback = null, string? appId = null, string[]? moreSources = null)
    {
        var tenant = new Tenant("pool-" + Guid.NewGuid().ToString("N")[..8], appId ?? "app-" + Guid.NewGuid().ToString("N")[..8], "app-secret-" + Guid.NewGuid().ToString("N"));
        var grains = System.Grains;
        await grains.GetGrain<IUserPoolGrain>(tenant.PoolId).SaveSettingsAsync(new UserPoolSettings(tenant.PoolId, "Pool host pool"));
        await grains.GetGrain<IApplicationGrain>(tenant.AppId).SaveAsync(new ApplicationSettings(tenant.AppId, tenant.PoolId, "Shop", null,
            [Site.GetLeftPart(UriPartial.Authority)], [AppCallback]), tenant.AppSecret);
        foreach (var source in (string[])[Tenant.Source, .. moreSources ?? []])
            await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, source)).SaveAsync(
                new IdentitySourceSettings(tenant.PoolId, source, "WeChat", sourceCallback ?? SourceCallback, true, false, null, LoginMode.LoginAndRegister,
                    AccountAssociation.Off, IdentitySourceSettings.DefaultTicketLifetime, [tenant.AppId]), null);
        return tenant;
    }

    /// <summary>An HTTP client that reaches every name on loopback at the URL's port (as the test names' DNS would), with its own cookies.</summary>
    public static HttpClient Client(CookieContainer? cookies = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        CookieContainer = cookies ?? new CookieContainer(),
        ConnectCallback = async (context, cancel) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancel);
            return new NetworkStream(socket, ownsSocket: true);
        },
    });

    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US", ViewportSize = new ViewportSize { Width = 360, Height = 760 } });
        context.SetDefaultTimeout(BrowserFixture.WaitTimeout);
        context.SetDefaultNavigationTimeout(BrowserFixture.WaitTimeout);
        context.Page += (_, page) => PageTrace.Attach(page);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_site is not null) { await _site.StopAsync(); await _site.DisposeAsync(); }
        await System.DisposeAsync();
    }
}

/// <summary>Alone, like the browser collection: Chromium and a whole system on a two-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PoolHostCollection : ICollectionFixture<PoolHostFixture>
{
    public const string Name = "pool hosts";
}
