using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests.Admin;

/// <summary>GET /admin/v1/pools/{poolId}/audit with filters: the API narrows the whole log, pages what it keeps, refuses bad filters by name.</summary>
[Collection(SystemCollection.Name)]
public sealed class AuditFilterApiTests(SystemFixture system)
{
    private async Task<(AdminClient Platform, string PoolId, string AppA, string AppB)> PoolWithHistoryAsync()
    {
        var platform = new AdminClient(system.Operator(system.PlatformKey));
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..10];
        await platform.OkAsync(HttpMethod.Post, "/admin/v1/pools", new { id = poolId, name = "Shop" }, HttpStatusCode.Created);
        var ids = new List<string>();
        foreach (var name in new[] { "Shop web", "Shop admin" })
        {
            var app = await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications",
                new { name, allowedOrigins = new[] { "https://shop.example.com" }, callbackUrls = new[] { "https://shop.example.com/cb" } }, HttpStatusCode.Created);
            ids.Add(app["application"]!["appId"]!.GetValue<string>());
        }
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources", new { identifier = "wechat", displayName = "WeChat" }, HttpStatusCode.Created);
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications/{ids[0]}/secret", null);
        return (platform, poolId, ids[0], ids[1]);
    }

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz";

    private static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.ToString(TimeFormat, System.Globalization.CultureInfo.InvariantCulture));

    private static JsonNode[] Items(JsonNode page) => [.. page["items"]!.AsArray().Select(e => e!)];

    [Fact]
    public async Task Audit_filters_narrow_the_whole_log_and_page_through_what_they_keep()
    {
        var (platform, poolId, appA, appB) = await PoolWithHistoryAsync();
        var audit = $"/admin/v1/pools/{poolId}/audit";
        var all = Items(await platform.OkAsync(HttpMethod.Get, audit));

        var apps = Items(await platform.OkAsync(HttpMethod.Get, audit + "?resourceType=application"));
        Assert.NotEmpty(apps);
        Assert.All(apps, e => Assert.Equal("application", e["resourceType"]!.GetValue<string>()));
        Assert.Equal(all.Count(e => e["resourceType"]!.GetValue<string>() == "application"), apps.Length);

        var ofA = Items(await platform.OkAsync(HttpMethod.Get, $"{audit}?resourceType=application&resourceId={appA}"));
        Assert.NotEmpty(ofA);
        Assert.All(ofA, e => Assert.Equal(appA, e["resourceId"]!.GetValue<string>()));
        Assert.DoesNotContain(ofA, e => e["resourceId"]!.GetValue<string>() == appB);

        var creates = Items(await platform.OkAsync(HttpMethod.Get, audit + "?action=create&actor=platform:platform"));
        Assert.Equal(all.Count(e => e["action"]!.GetValue<string>() == "create" && e["actor"]!.GetValue<string>() == "platform:platform"), creates.Length);
        Assert.Empty(Items(await platform.OkAsync(HttpMethod.Get, audit + "?action=no_such_action")));

        // Time range: from inclusive, to exclusive, any offset.
        var first = all[0]["at"]!.GetValue<DateTimeOffset>();
        var last = all[^1]["at"]!.GetValue<DateTimeOffset>();
        var firstAt = Time(first);
        var afterLast = Time(last.AddSeconds(1).ToOffset(TimeSpan.FromHours(8)));
        Assert.Equal(all.Length, Items(await platform.OkAsync(HttpMethod.Get, $"{audit}?from={firstAt}&to={afterLast}")).Length);
        Assert.Empty(Items(await platform.OkAsync(HttpMethod.Get, $"{audit}?to={firstAt}")));
        Assert.Empty(Items(await platform.OkAsync(HttpMethod.Get, $"{audit}?from={afterLast}")));

        // Paging keeps the filter: one entry a page, every page only applications, together all of them.
        var paged = new List<JsonNode>();
        string? cursor = null;
        for (var pages = 0; pages < 50; pages++)
        {
            var page = await platform.OkAsync(HttpMethod.Get, $"{audit}?resourceType=application&limit=1" + (cursor is null ? "" : "&cursor=" + cursor));
            paged.AddRange(Items(page));
            cursor = page["nextCursor"]?.GetValue<string>();
            if (cursor is null) break;
        }
        Assert.Null(cursor);
        Assert.Equal(apps.Select(e => e["sequence"]!.GetValue<long>()), paged.Select(e => e["sequence"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Bad_audit_filters_are_refused_by_name_and_a_pool_key_filters_only_its_pool()
    {
        var (platform, poolId, appA, _) = await PoolWithHistoryAsync();
        var (_, otherPool, _, _) = await PoolWithHistoryAsync();
        var audit = $"/admin/v1/pools/{poolId}/audit";
        foreach (var (query, field) in new[]
        {
            ("action=Update", "action"), ("action=" + new string('a', 41), "action"),
            ("resourceType=app%20lication", "resourceType"), ("resourceId=" + new string('x', 201), "resourceId"),
            ("actor=" + new string('p', 201), "actor"), ("from=yesterday", "from"), ("from=2026-12-01", "from"), ("from=2026-12-01T00:00:00", "from"),
            ("to=2026-13-01T00:00:00Z", "to"), ("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to"),
        })
        {
            var problem = await platform.ProblemAsync(HttpMethod.Get, $"{audit}?{query}", null, HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem["errors"]?[field] is not null, $"{query}: {problem.ToJsonString()}");
        }

        var key = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/api-keys", new { name = "ops" }, HttpStatusCode.Created))["key"]!.GetValue<string>();
        using var pool = new AdminClient(system.Operator(key));
        Assert.NotEmpty(Items(await pool.OkAsync(HttpMethod.Get, $"{audit}?resourceId={appA}")));
        await pool.ProblemAsync(HttpMethod.Get, $"/admin/v1/pools/{otherPool}/audit?resourceType=application", null, HttpStatusCode.NotFound, "not_found");
    }
}
