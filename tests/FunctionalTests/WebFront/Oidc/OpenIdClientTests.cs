using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ScanLogin.Grains.Interfaces;
using Xunit;
using Xunit.Abstractions;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// The stock openid-client (6.8.9, installed by deploy/test.sh with npm ci from tests/OpenIdClient) against a pool with
/// sessions: discovery, the code flow with PKCE, refresh with rotation, reuse detection, revocation and the end-session URL
/// it builds. In the browser collection because its issuer is front end A's own address, which the client insists on.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class OpenIdClientTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Callback = "https://rp.example/callback";
    private const string SignedOut = "https://rp.example/signed-out";

    [Fact]
    public async Task Openid_client_refreshes_with_rotation_sees_a_reuse_refused_and_its_end_session_url_logs_out()
    {
        var (poolId, appId, secret) = await PoolAsync();
        using var browser = Browser();
        var started = JsonDocument.Parse(await NodeAsync(poolId, appId, secret, "start")).RootElement;
        var callback = await LoginAsync(browser, started.GetProperty("url").GetString()!);
        var result = JsonDocument.Parse(await NodeAsync(poolId, appId, secret, "finish", callback, started.GetProperty("verifier").GetString()!,
            started.GetProperty("state").GetString()!, started.GetProperty("nonce").GetString()!)).RootElement;

        Assert.Equal(result.GetProperty("sub").GetString(), result.GetProperty("refreshedSub").GetString());
        Assert.Equal(result.GetProperty("authTime").GetInt64(), result.GetProperty("refreshedAuthTime").GetInt64());
        Assert.True(result.GetProperty("rotated").GetBoolean());
        Assert.Equal("invalid_grant", result.GetProperty("reused").GetString());
        Assert.Equal("invalid_grant", result.GetProperty("afterReuse").GetString());

        var logout = await browser.GetAsync(result.GetProperty("logout").GetString());
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal($"{SignedOut}?state=bye", logout.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Openid_client_revokes_a_refresh_token_and_it_refreshes_nothing_after()
    {
        var (poolId, appId, secret) = await PoolAsync();
        using var browser = Browser();
        var started = JsonDocument.Parse(await NodeAsync(poolId, appId, secret, "start")).RootElement;
        var callback = await LoginAsync(browser, started.GetProperty("url").GetString()!);
        var result = JsonDocument.Parse(await NodeAsync(poolId, appId, secret, "revoke", callback, started.GetProperty("verifier").GetString()!,
            started.GetProperty("state").GetString()!, started.GetProperty("nonce").GetString()!)).RootElement;
        Assert.Equal("invalid_grant", result.GetProperty("afterRevocation").GetString());
    }

    private async Task<(string PoolId, string AppId, string Secret)> PoolAsync()
    {
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        var appId = "app-" + Guid.NewGuid().ToString("N")[..8];
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var grains = fixture.System.Grains;
        await grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "openid-client pool", SessionEnabled: true));
        await grains.GetGrain<IApplicationGrain>(appId).SaveAsync(new ApplicationSettings(appId, poolId, "RP", null, [], [Callback, SignedOut]), secret);
        await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat")).SaveAsync(
            new IdentitySourceSettings(poolId, "wechat", "WeChat", null, true, false, null, LoginMode.LoginAndRegister, AccountAssociation.Off,
                IdentitySourceSettings.DefaultTicketLifetime, [appId]), null);
        return (poolId, appId, secret);
    }

    /// <summary>The user's side over HTTP: the authorization URL openid-client built, a scan and confirm, the callback with the code.</summary>
    private async Task<string> LoginAsync(HttpClient browser, string authorizationUrl)
    {
        var started = await browser.GetAsync(authorizationUrl);
        Assert.True(started.StatusCode == HttpStatusCode.Redirect, $"authorize answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        var loginPage = started.Headers.Location!.ToString();
        var ticketId = TicketInPage().Match(await browser.GetStringAsync(loginPage)).Groups[1].Value;
        await new LoginDriver(fixture).ScanAndConfirmAsync(ticketId, "Mei Client");
        var completed = await browser.GetAsync(loginPage + "/complete");
        Assert.Equal(HttpStatusCode.Redirect, completed.StatusCode);
        return completed.Headers.Location!.ToString();
    }

    private async Task<string> NodeAsync(string poolId, string appId, string secret, params string[] args)
    {
        var start = new ProcessStartInfo("node", ["flow.mjs", .. args])
        {
            WorkingDirectory = ClientDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ISSUER"] = new Uri(fixture.ScanLogin, $"oidc/{poolId}").ToString();
        start.Environment["CLIENT_ID"] = appId;
        start.Environment["CLIENT_SECRET"] = secret;
        start.Environment["REDIRECT_URI"] = Callback;
        start.Environment["LOGOUT_URI"] = SignedOut;
        using var node = Process.Start(start)!;
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = await node.StandardOutput.ReadToEndAsync(timeout.Token);
        await node.WaitForExitAsync(timeout.Token);
        var stderr = await errors;
        output.WriteLine(stdout + stderr);
        Assert.True(node.ExitCode == 0, $"node flow.mjs {args[0]} failed:\n{stderr}");
        return stdout.Trim();
    }

    /// <summary>tests/OpenIdClient of this checkout, with its node_modules installed (deploy/test.sh runs npm ci there).</summary>
    private static string ClientDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "OpenIdClient");
            if (!File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln")) || !Directory.Exists(folder)) continue;
            Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "openid-client")),
                $"openid-client is not installed: run `npm ci` in {folder} (deploy/test.sh does).");
            return folder;
        }
        throw new DirectoryNotFoundException("tests/OpenIdClient not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A browser that keeps cookies and shows redirects instead of following them.</summary>
    private HttpClient Browser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = fixture.ScanLogin };

    [GeneratedRegex("/api/tickets/([A-Za-z0-9_-]{22})/qr\\.png")]
    private static partial Regex TicketInPage();
}
