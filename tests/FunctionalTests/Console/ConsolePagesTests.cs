using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit;

namespace ScanLogin.FunctionalTests.OperatorConsole;

/// <summary>The operators' console in a browser: sign-in, reach, creating a tenant from the pages, and the API's refusals shown.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsolePagesTests(ConsoleFixture fixture)
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    private async Task<string> CreatePoolAsync(string name = "Pool")
    {
        var id = "pool-" + Guid.NewGuid().ToString("N")[..8];
        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        var created = await platform.PostAsJsonAsync("/admin/v1/pools", new { id, name });
        Assert.Equal(201, (int)created.StatusCode);
        return id;
    }

    [Fact]
    public async Task Sign_in_keeps_the_key_in_an_HttpOnly_strict_cookie_and_sign_out_ends_the_session()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Url("/"));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await page.Locator("#key").FillAsync("slp_not_a_key");
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator("#err-key")).ToContainTextAsync("did not accept");
        await ConsoleFixture.ScreenshotAsync(page, "signin-refused");

        await page.Locator("#key").FillAsync(fixture.System.PlatformKey);
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator("#sign-out")).ToBeVisibleAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("User pools");
        await ConsoleFixture.ScreenshotAsync(page, "pools");

        var session = (await context.CookiesAsync()).Single(c => c.Name == "console_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(fixture.System.PlatformKey, session.Value);
        Assert.DoesNotContain(fixture.System.PlatformKey, await page.ContentAsync());
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie + JSON.stringify(localStorage) .replace('{}', '') + JSON.stringify(sessionStorage).replace('{}', '')"));

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "console_session");
        await page.GotoAsync(fixture.Url("/"));
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_pool_key_sees_and_reaches_only_its_own_pool()
    {
        var mine = await CreatePoolAsync("Mine");
        var other = await CreatePoolAsync("Other");
        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        var key = (await (await platform.PostAsJsonAsync($"/admin/v1/pools/{mine}/api-keys", new { name = "ops" })).Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();

        var page = await fixture.SignInAsync(key);
        await Expect(page).ToHaveURLAsync(fixture.Url($"/pools/{mine}"));
        await Expect(page.Locator(".who")).ToContainTextAsync($"a key of pool {mine}");
        await Expect(page.Locator("a[href='/key-ring']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#create-key")).ToHaveCountAsync(0);
        await ConsoleFixture.ScreenshotAsync(page, "pool-key-home");

        foreach (var path in new[] { $"/pools/{other}", $"/pools/{other}/users", $"/pools/{other}/audit", $"/pools/{other}/identity-sources/new", "/key-ring" })
        {
            var response = await page.GotoAsync(fixture.Url(path));
            Assert.True(response!.Status is 404 or 403, $"{path} answered {response.Status}");
            Assert.DoesNotContain("Other", await page.Locator("main").InnerTextAsync());
        }
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_operator_creates_a_pool_an_application_and_an_identity_source_from_the_pages_and_sees_the_secret_once()
    {
        var page = await fixture.SignInAsync(fixture.System.PlatformKey);
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#pool-id").FillAsync(poolId);
        await page.Locator("#pool-name").FillAsync("Shop");
        await page.Locator("#create-pool").ClickAsync();
        await Expect(page).ToHaveURLAsync(fixture.Url($"/pools/{poolId}"));
        await Expect(page.Locator("#no-apps")).ToBeVisibleAsync();
        await Expect(page.Locator("#no-sources")).ToBeVisibleAsync();
        await ConsoleFixture.ScreenshotAsync(page, "pool-empty");

        await page.Locator("summary", new() { HasText = "Create an application" }).ClickAsync();
        await page.Locator("#app-name").FillAsync("Shop web");
        await page.Locator("#app-origins").FillAsync("https://shop.example.com");
        await page.Locator("#create-app").ClickAsync();
        await Expect(page.Locator("#new-secret")).ToBeVisibleAsync();
        await Expect(page.Locator(".secret")).ToContainTextAsync("Shown once.");
        await ConsoleFixture.ScreenshotAsync(page, "application-created");
        var appId = await page.Locator("#new-app-id").InnerTextAsync();
        var secret = await page.Locator("#new-secret").InputValueAsync();
        Assert.True(secret.Length >= 20, $"secret '{secret}'");

        // The secret is the application's: the ticket API accepts it from a backend.
        using (var backend = new HttpClient { BaseAddress = fixture.ScanLogin })
        {
            backend.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{appId}:{secret}")));
            var unknownSource = await backend.PostAsJsonAsync("/api/tickets", new { appId, identitySource = "none-yet" });
            Assert.NotEqual(401, (int)unknownSource.StatusCode);
        }

        // Shown once: neither a reload nor the application's page shows it again.
        await page.GotoAsync(fixture.Url($"/pools/{poolId}"));
        await Expect(page.Locator("#new-secret")).ToHaveCountAsync(0);
        await page.Locator($"a[href='/pools/{poolId}/applications/{appId}']").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Shop web");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        await Expect(page.Locator("#client-id")).ToHaveTextAsync(appId);
        await Expect(page.Locator("#snippet-aspnet")).ToContainTextAsync($"o.ClientId = \"{appId}\"");
        await Expect(page.Locator("#no-try-source")).ToBeVisibleAsync();
        await ConsoleFixture.ScreenshotAsync(page, "application");

        await page.GotoAsync(fixture.Url($"/pools/{poolId}/identity-sources/new"));
        await page.Locator("#src-identifier").FillAsync("wechat-scan");
        await page.Locator("#src-name").FillAsync("WeChat");
        await page.Locator($"input[name=applicationIds][value='{appId}']").CheckAsync();
        await ConsoleFixture.ScreenshotAsync(page, "identity-source-new");
        await page.Locator("#save-source").ClickAsync();
        await Expect(page).ToHaveURLAsync(fixture.Url($"/pools/{poolId}/identity-sources/wechat-scan"));
        await Expect(page.Locator("#toggle-source")).ToHaveTextAsync("Disable");
        await page.Locator("#logo-file").SetInputFilesAsync(Path.Combine(RepoRoot(), "deploy", "demo-logo.png"));
        await page.Locator("#upload-logo").ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Logo uploaded.");
        // Loaded images only (an assertion that reports the width it saw): the logo and the sample code drawn with it.
        await Expect(page.Locator(".qr-preview:not(figure) img")).Not.ToHaveJSPropertyAsync("naturalWidth", 0);
        await Expect(page.Locator("#qr-preview img")).ToHaveJSPropertyAsync("naturalWidth", 320);
        await ConsoleFixture.ScreenshotAsync(page, "identity-source");

        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        var source = (await platform.GetFromJsonAsync<JsonObject>($"/admin/v1/pools/{poolId}/identity-sources/wechat-scan"))!;
        Assert.Equal("WeChat", source["displayName"]!.GetValue<string>());
        Assert.Equal(appId, source["applicationIds"]![0]!.GetValue<string>());
        Assert.True(source["logo"]!["set"]!.GetValue<bool>());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_save_over_someone_elses_change_says_so_and_offers_a_reload()
    {
        var poolId = await CreatePoolAsync("Before");
        var page = await fixture.SignInAsync(fixture.System.PlatformKey);
        await page.GotoAsync(fixture.Url($"/pools/{poolId}"));
        await Expect(page.Locator("#settings-heading")).ToBeVisibleAsync();

        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        var changed = await platform.PatchAsync($"/admin/v1/pools/{poolId}", JsonContent.Create(new { name = "Changed elsewhere" }));
        Assert.True(changed.IsSuccessStatusCode);

        await page.Locator("#pool-name").FillAsync("Mine");
        await page.Locator("#save-pool").ClickAsync();
        await Expect(page.Locator("#refusal")).ToContainTextAsync("Someone else changed this item");
        await ConsoleFixture.ScreenshotAsync(page, "conflict");
        await page.Locator("#reload").ClickAsync();
        await Expect(page.Locator("#pool-name")).ToHaveValueAsync("Changed elsewhere");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_validation_error_is_shown_next_to_its_field()
    {
        var poolId = await CreatePoolAsync();
        var page = await fixture.SignInAsync(fixture.System.PlatformKey);
        await page.GotoAsync(fixture.Url($"/pools/{poolId}"));
        await page.Locator("#pool-lifetime").FillAsync("5");
        await page.Locator("#save-pool").ClickAsync();
        await Expect(page.Locator("#err-tokenLifetimeSeconds")).ToBeVisibleAsync();
        await Expect(page.Locator("#pool-lifetime")).ToHaveAttributeAsync("aria-describedby", "err-tokenLifetimeSeconds");
        await ConsoleFixture.ScreenshotAsync(page, "validation-error");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_console_speaks_Chinese_to_a_Chinese_browser_and_switches_language()
    {
        var page = await fixture.SignInAsync(fixture.System.PlatformKey, locale: "zh-CN");
        await Expect(page.Locator("h1")).ToHaveTextAsync("用户池");
        await ConsoleFixture.ScreenshotAsync(page, "pools-zh");
        await page.Locator("a[lang=en]").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("User pools");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_operator_creates_searches_blocks_and_imports_users_from_the_pages()
    {
        var poolId = await CreatePoolAsync();
        var page = await fixture.SignInAsync(fixture.System.PlatformKey);
        await page.GotoAsync(fixture.Url($"/pools/{poolId}/users"));
        await Expect(page.Locator("#no-users")).ToBeVisibleAsync();
        await page.Locator("summary", new() { HasText = "Create a user" }).ClickAsync();
        await page.Locator("#user-username").FillAsync("mei");
        await page.Locator("#user-phone").FillAsync("13800");
        await page.Locator("#create-user").ClickAsync();
        await Expect(page.Locator("#err-phone")).ToBeVisibleAsync();
        await Expect(page.Locator("#user-username")).ToHaveValueAsync("mei");
        await page.Locator("#user-phone").FillAsync("+8613800138000");
        await page.Locator("#user-nickname").FillAsync("Mei");
        await page.Locator("#create-user").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Mei");
        await Expect(page.Locator("#no-identities")).ToBeVisibleAsync();
        await page.Locator("#toggle-block").ClickAsync();
        await Expect(page.Locator("#user-state")).ToHaveTextAsync("blocked");
        await ConsoleFixture.ScreenshotAsync(page, "user");

        await page.GotoAsync(fixture.Url($"/pools/{poolId}/users"));
        await page.Locator("#search-field").SelectOptionAsync("phone");
        await page.Locator("#search-value").FillAsync("+8613800138000");
        await page.Locator("#search-users").ClickAsync();
        await Expect(page.Locator("#users tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#users")).ToContainTextAsync("blocked");

        await page.Locator("summary", new() { HasText = "Import users" }).ClickAsync();
        await page.Locator("#import-json").FillAsync("""[{"username":"lei"},{"username":"bad","phone":"123"}]""");
        await page.Locator("#import-users").ClickAsync();
        await Expect(page.Locator("#err-import-rows")).ToContainTextAsync("users[1].phone");
        await page.Locator("#import-json").FillAsync("""[{"username":"lei","nickname":"Lei"},{"username":"mei"}]""");
        await page.Locator("#import-users").ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("1 created, 1 refused.");
        await Expect(page.Locator("#import-results tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#import-results tbody tr").Nth(1)).ToContainTextAsync("username");
        await ConsoleFixture.ScreenshotAsync(page, "users-import");

        await page.GotoAsync(fixture.Url($"/pools/{poolId}/audit"));
        await Expect(page.Locator("#audit")).ToContainTextAsync("user");
        await ConsoleFixture.ScreenshotAsync(page, "audit");
        await page.GotoAsync(fixture.Url($"/pools/{poolId}/signing-keys"));
        await page.Locator("#rotate-signing-key").ClickAsync();
        await Expect(page.Locator("#signing-keys tbody tr")).Not.ToHaveCountAsync(0);
        await ConsoleFixture.ScreenshotAsync(page, "signing-keys");
        await page.GotoAsync(fixture.Url("/key-ring"));
        await Expect(page.Locator("#key-ring")).ToBeVisibleAsync();
        await ConsoleFixture.ScreenshotAsync(page, "key-ring");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_session_ends_after_the_idle_timeout_and_each_request_extends_it()
    {
        var page = await fixture.SignInAsync(fixture.System.PlatformKey);
        fixture.ConsoleTime.Advance(TimeSpan.FromMinutes(20));
        await page.GotoAsync(fixture.Url("/"));
        await Expect(page.Locator("#sign-out")).ToBeVisibleAsync();
        fixture.ConsoleTime.Advance(TimeSpan.FromMinutes(20));
        await page.GotoAsync(fixture.Url("/"));
        await Expect(page.Locator("#sign-out")).ToBeVisibleAsync();
        fixture.ConsoleTime.Advance(TimeSpan.FromMinutes(31));
        await page.GotoAsync(fixture.Url("/"));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Pages_allow_only_their_own_script_files_and_a_form_without_its_antiforgery_token_is_refused()
    {
        using var http = new HttpClient { BaseAddress = fixture.Console };
        var signIn = await http.GetAsync("/signin");
        var csp = string.Join(";", signIn.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("<script>", await signIn.Content.ReadAsStringAsync());

        var forged = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = fixture.System.PlatformKey }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(forged.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("console_session", StringComparison.Ordinal)),
            "a session cookie was set without the antiforgery token");
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ScanLogin.sln not found above " + AppContext.BaseDirectory);
    }
}
