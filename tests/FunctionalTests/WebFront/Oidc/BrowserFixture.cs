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

    /// <summary>
    /// The bound of every browser wait for something the system does (a state the page reaches, a navigation), in ms.
    /// Each such wait reports what the page went through when it runs out (<see cref="PageTrace"/>).
    /// </summary>
    public const float WaitTimeout = 15_000;

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
        var tenant = await System.NewTenant()
            .Pool(name: "Browser pool")
            .Application(name: AppName, origins: [SampleSite.GetLeftPart(UriPartial.Authority)], callbacks: [SignInCallback, PopupCallback])
            .IdentitySource(displayName: SourceName)
            .AnotherIdentitySource(LoginOnlySource, "WeChat (members only)", LoginMode.LoginOnly)
            .AnotherIdentitySource(AskBindingSource, "WeChat (link an account)", association: AccountAssociation.AskBinding)
            .SaveAsync(System.Grains);
        Tenant = new Tenant(tenant.PoolId, tenant.AppId, tenant.AppSecret);

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

        Assertions.SetDefaultExpectTimeout(WaitTimeout);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            // Root in CI containers: Chromium's sandbox needs user namespaces it may not get.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        await WarmUpAsync();
    }

    /// <summary>
    /// One whole hosted login before any test runs: over HTTP (authorize, the page, its picture and its stream, the phone's scan
    /// and confirm, complete, token, userinfo) and then once in Chromium (its first page starts the renderer). Every server
    /// path a browser test waits on has then run once, so no test's bounded wait pays for compiling it: on a busy two-core
    /// machine the first login through freshly started silos, front ends and sample site took most of a 15 s bound.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var clock = global::System.Diagnostics.Stopwatch.StartNew();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
            { BaseAddress = ScanLogin };
        var request = new LoginDriver(this).Authorize();
        var started = await http.GetAsync(request.Url);
        if (started.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Warm-up authorize answered {(int)started.StatusCode}.");
        var loginPage = started.Headers.Location!.ToString();
        var html = await http.GetStringAsync(loginPage);
        var ticketId = global::System.Text.RegularExpressions.Regex.Match(html, "/api/tickets/([A-Za-z0-9_-]{22})/qr\\.png").Groups[1].Value;
        (await http.GetAsync($"/api/tickets/{ticketId}/qr.png?size=240")).EnsureSuccessStatusCode();
        using (var events = await http.GetAsync($"/api/tickets/{ticketId}/events", HttpCompletionOption.ResponseHeadersRead)) events.EnsureSuccessStatusCode();
        var openId = await System.Emulator.CreateUserAsync(nickname: "Warm-up");
        var scan = await Api.ScanOkAsync(System.B, ticketId, await System.Emulator.LoginCodeAsync(openId));
        (await Api.ConfirmAsync(System.B, ticketId, scan.ScanToken, await System.Emulator.PhoneCodeAsync(openId))).EnsureSuccessStatusCode();
        var completed = await http.GetAsync(loginPage + "/complete");
        if (completed.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Warm-up complete answered {(int)completed.StatusCode}.");
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(completed.Headers.Location!.Query)["code"].ToString();
        var tokens = await http.PostAsync($"/oidc/{Tenant.PoolId}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = PopupCallback, ["client_id"] = Tenant.AppId,
            ["code_verifier"] = request.Verifier,
        }));
        tokens.EnsureSuccessStatusCode();
        var accessToken = global::System.Text.Json.JsonDocument.Parse(await tokens.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var userinfo = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{Tenant.PoolId}/userinfo") { Headers = { Authorization = new("Bearer", accessToken) } };
        (await http.SendAsync(userinfo)).EnsureSuccessStatusCode();
        (await http.GetAsync(PopupCallback)).EnsureSuccessStatusCode();
        (await http.GetAsync(SampleSite)).EnsureSuccessStatusCode();
        var overHttp = clock.Elapsed;

        // The browser's first page, on the same paths.
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new LoginDriver(this).Authorize().Url);
        await LoginDriver.WaitForStateAsync(page, "pending");
        await page.GotoAsync(PopupCallback);
        Console.WriteLine($"Browser fixture warm-up: {overHttp.TotalSeconds:0.0} s over HTTP, {clock.Elapsed.TotalSeconds:0.0} s in all.");
    }

    /// <summary>
    /// A fresh browser profile (its own cookies): a 360 px wide phone-sized window unless told otherwise. Every page it
    /// opens is traced (<see cref="PageTrace"/>), so a wait that times out can say what the page went through.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(string locale = "en-US", int width = 360, int height = 760)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, ViewportSize = new ViewportSize { Width = width, Height = height } });
        // Every wait without its own bound (clicks, fills, expectations) gets the same one as the explicit waits.
        context.SetDefaultTimeout(WaitTimeout);
        context.SetDefaultNavigationTimeout(WaitTimeout);
        context.Page += (_, page) => PageTrace.Attach(page);
        return context;
    }

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

/// <summary>
/// Not run alongside the other collections: a CI machine has two cores, and the browser's bounded waits (Chromium, two
/// silos, two front ends and the sample site all answering in turn) shared them with collections that confirm hundreds of
/// logins at once or stop silos, then timed out. Alone, after the parallel collections, its waits measure the system.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
