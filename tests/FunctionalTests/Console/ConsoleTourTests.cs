using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.OperatorConsole;

/// <summary>Every console page in the browser artifacts; the identity source's QR preview; audit filters answered by the API.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ConsoleTourTests(ConsoleFixture fixture)
{
    private const string SamplePayload = "ScanLogin preview: a sample code, not a login ticket";

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>A pool with an application, an identity source (with the demo logo) and a user, made through the admin API.</summary>
    private async Task<(string PoolId, string AppId, string UserId)> TenantAsync(int extraUsers = 0)
    {
        using var platform = fixture.System.Operator(fixture.System.PlatformKey);
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        async Task<JsonObject> Ok(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
            return body.Length > 0 ? JsonNode.Parse(body)!.AsObject() : [];
        }
        await Ok(await platform.PostAsJsonAsync("/admin/v1/pools", new { id = poolId, name = "Shop" }));
        if (extraUsers > 0)
            await Ok(await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/users/import",
                new { users = Enumerable.Range(0, extraUsers).Select(i => new { username = $"bulk{i}" }).ToArray() }));
        var app = await Ok(await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/applications",
            new { name = "Shop web", allowedOrigins = new[] { "https://shop.example.com" }, callbackUrls = new[] { "https://shop.example.com/cb" } }));
        var appId = app["application"]!["appId"]!.GetValue<string>();
        await Ok(await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/identity-sources",
            new { identifier = "wechat-scan", displayName = "WeChat", applicationIds = new[] { appId } }));
        var logo = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(RepoRoot(), "deploy", "demo-logo.png")));
        logo.Headers.ContentType = new("image/png");
        await Ok(await platform.PutAsync($"/admin/v1/pools/{poolId}/identity-sources/wechat-scan/logo", logo));
        var user = await Ok(await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/users", new { username = "mei", nickname = "Mei" }));
        return (poolId, appId, user["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_console_page_is_screenshotted_into_the_browser_artifacts()
    {
        var (poolId, appId, userId) = await TenantAsync();
        var visited = new List<string>();
        var shots = new List<string>();

        var context = await fixture.NewContextAsync(width: 1024);
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Url("/signin"));
        await Expect(page.Locator("#key")).ToBeVisibleAsync();
        await Shot(page, "/signin", "signin");
        await context.CloseAsync();

        page = await fixture.SignInAsync(fixture.System.PlatformKey, width: 1024);
        foreach (var (route, path, name, shown) in new[]
        {
            ("/", "/", "pools", "#sign-out"),
            ("/pools/{poolId}", $"/pools/{poolId}", "pool", $"a[href='/pools/{poolId}/applications/{appId}']"),
            ("/pools/{poolId}/applications/{appId}", $"/pools/{poolId}/applications/{appId}", "application", "#client-id"),
            ("/pools/{poolId}/identity-sources/{identifier}", $"/pools/{poolId}/identity-sources/wechat-scan", "identity-source", "#qr-preview img"),
            ("/pools/{poolId}/users", $"/pools/{poolId}/users", "users", "#users"),
            ("/pools/{poolId}/users/{userId}", $"/pools/{poolId}/users/{userId}", "user", "#user-state"),
            ("/pools/{poolId}/audit", $"/pools/{poolId}/audit", "audit", "#audit"),
            ("/pools/{poolId}/branding/{appId?}", $"/pools/{poolId}/branding/{appId}", "branding", "#branding-title"),
            ("/pools/{poolId}/signing-keys", $"/pools/{poolId}/signing-keys", "signing-keys", "#rotate-signing-key"),
            ("/key-ring", "/key-ring", "key-ring", "#key-ring"),
            ("/not-found", "/not-found", "not-found", "#not-found"),
            ("/signout", "/signout", "signout", "form button[type=submit]"),
        })
        {
            await page.GotoAsync(fixture.Url(path));
            await Expect(page.Locator(shown).First).ToBeVisibleAsync();
            if (name == "identity-source") await Expect(page.Locator("#qr-preview img")).ToHaveJSPropertyAsync("naturalWidth", 320);
            await Shot(page, route, name);
        }
        await page.Context.CloseAsync();

        // A page added to the console without a screenshot here fails this test.
        var pages = Directory.EnumerateFiles(Path.Combine(RepoRoot(), "src", "Console", "Pages"), "*.cshtml", SearchOption.AllDirectories)
            .Select(f => PageDirective().Match(File.ReadAllText(f))).Where(m => m.Success).Select(m => m.Groups[1].Value).Order().ToArray();
        Assert.Equal(pages, visited.Order().ToArray());
        foreach (var shot in shots)
            Assert.True(new FileInfo(shot).Length > 1000, $"{shot} is missing or empty");

        async Task Shot(IPage p, string route, string name)
        {
            visited.Add(route);
            await ConsoleFixture.ScreenshotAsync(p, "page-" + name);
            shots.Add(Path.Combine(ConsoleFixture.Artifacts, "console-page-" + name + ".png"));
        }
    }

    [Fact]
    public async Task The_identity_source_page_shows_the_sample_QR_code_with_the_logo_and_a_new_one_after_an_upload()
    {
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..8];
        using (var platform = fixture.System.Operator(fixture.System.PlatformKey))
        {
            Assert.Equal(201, (int)(await platform.PostAsJsonAsync("/admin/v1/pools", new { id = poolId, name = "Shop" })).StatusCode);
            Assert.Equal(201, (int)(await platform.PostAsJsonAsync($"/admin/v1/pools/{poolId}/identity-sources", new { identifier = "wechat", displayName = "WeChat" })).StatusCode);
        }
        var page = await fixture.SignInAsync(fixture.System.PlatformKey, width: 1024);
        await page.GotoAsync(fixture.Url($"/pools/{poolId}/identity-sources/wechat"));
        var preview = page.Locator("#qr-preview img");
        await Expect(preview).ToHaveJSPropertyAsync("naturalWidth", 320);
        var before = await preview.GetAttributeAsync("src");
        Assert.Equal(SamplePayload, QrDecoder.Decode(await preview.ScreenshotAsync()));

        await page.Locator("#logo-file").SetInputFilesAsync(Path.Combine(RepoRoot(), "deploy", "demo-logo.png"));
        await page.Locator("#upload-logo").ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Logo uploaded.");
        await Expect(preview).Not.ToHaveAttributeAsync("src", before!);
        await Expect(preview).ToHaveJSPropertyAsync("naturalWidth", 320);
        // The logo sits in the middle of the code, which still reads: the page shows the code the tickets will show.
        Assert.Equal(SamplePayload, QrDecoder.Decode(await preview.ScreenshotAsync()));
        await ConsoleFixture.ScreenshotAsync(page, "identity-source-preview");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Audit_filters_are_answered_by_the_API_across_the_whole_log_not_just_the_page_shown()
    {
        // 120 imported users fill the first page of 100 entries: the application's entries come after it.
        var (poolId, appId, _) = await TenantAsync(extraUsers: 120);
        var page = await fixture.SignInAsync(fixture.System.PlatformKey, width: 1024);
        await page.GotoAsync(fixture.Url($"/pools/{poolId}/audit"));
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(100);
        await Expect(page.Locator("#audit")).Not.ToContainTextAsync(appId);

        await page.Locator("#audit-type").SelectOptionAsync("application");
        await page.Locator("#filter-audit").ClickAsync();
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#audit tbody tr")).ToContainTextAsync(appId);
        await Expect(page.Locator("#audit-next")).ToHaveCountAsync(0);
        await ConsoleFixture.ScreenshotAsync(page, "audit-filtered");

        await page.Locator("#audit-type").SelectOptionAsync("");
        await page.Locator("#audit-action").FillAsync("set_logo");
        await page.Locator("#filter-audit").ClickAsync();
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#audit tbody tr")).ToContainTextAsync("wechat-scan");

        // Days are UTC and the last one is kept whole: everything happened today.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd");
        await page.Locator("#audit-action").FillAsync("");
        await page.Locator("#audit-from").FillAsync(today);
        await page.Locator("#audit-to").FillAsync(today);
        await page.Locator("#filter-audit").ClickAsync();
        await Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(100);
        await Expect(page.Locator("#audit-next")).ToBeVisibleAsync();
        await page.Locator("#audit-next").ClickAsync();
        await Expect(page.Locator("#audit-from")).ToHaveValueAsync(today);
        await Expect(page.Locator("#audit")).ToContainTextAsync(appId);
        await page.Locator("#audit-from").FillAsync(yesterday);
        await page.Locator("#audit-to").FillAsync(yesterday);
        await page.Locator("#filter-audit").ClickAsync();
        await Expect(page.Locator("#no-audit")).ToHaveTextAsync("No entry matches these filters.");

        // The API's refusal, next to its field.
        await page.Locator("#audit-from").FillAsync("");
        await page.Locator("#audit-to").FillAsync("");
        await page.Locator("#audit-action").FillAsync("Not An Action");
        await page.Locator("#filter-audit").ClickAsync();
        await Expect(page.Locator("#err-action")).ToContainTextAsync("Lower-case letters");
        await Expect(page.Locator("#audit-action")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.Context.CloseAsync();
    }

    [GeneratedRegex("^@page \"([^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex PageDirective();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ScanLogin.sln not found above " + AppContext.BaseDirectory);
    }
}
