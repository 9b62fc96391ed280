using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Admin;

/// <summary>Operators' user management over HTTP: pool-scoped, audited, and never a password hash or a clear phone in the audit log or the logs.</summary>
[Collection(SystemCollection.Name)]
public sealed class UsersApiTests(SystemFixture system)
{
    [Fact]
    public async Task Create_get_search_block_unbind_and_delete_a_user_with_every_change_audited()
    {
        var tenant = await system.CreateTenantAsync();
        using var admin = new AdminClient(system.Operator(system.PlatformKey));
        var users = $"/admin/v1/pools/{tenant.PoolId}/users";
        var created = await admin.OkAsync(HttpMethod.Post, users,
            new { username = "Ops.User", email = "Ops@Example.com", phone = "+8613712345678", nickname = "Ops", password = "a strong password" }, HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        Assert.Equal(("ops.user", "ops@example.com", true, false), (created["username"]!.GetValue<string>(), created["email"]!.GetValue<string>(),
            created["passwordSet"]!.GetValue<bool>(), created["blocked"]!.GetValue<bool>()));
        Assert.Null(created["passwordHash"]);

        await admin.OkAsync(HttpMethod.Get, $"{users}/{id}");
        foreach (var query in new object[] { new { phone = "+8613712345678" }, new { email = "OPS@example.com" }, new { username = "ops.user" } })
            Assert.Equal(id, Assert.Single((await admin.OkAsync(HttpMethod.Post, $"{users}/search", query))["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Empty((await admin.OkAsync(HttpMethod.Post, $"{users}/search", new { phone = "+8613700000000" }))["items"]!.AsArray());
        await admin.ProblemAsync(HttpMethod.Post, $"{users}/search", new { phone = "+86137", email = "a@b.cd" }, HttpStatusCode.BadRequest, "validation_failed");
        await admin.ProblemAsync(HttpMethod.Post, users, new { username = "OPS.user" }, HttpStatusCode.Conflict, "username_in_use");
        await admin.ProblemAsync(HttpMethod.Post, users, new { phone = "+8613712345678" }, HttpStatusCode.Conflict, "phone_number_in_use");
        await admin.ProblemAsync(HttpMethod.Post, users, new { phone = "13712345678", password = "short" }, HttpStatusCode.BadRequest, "validation_failed");

        // A WeChat identity, bound by field match on the same phone, found by openid and unbound again.
        await system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, Tenant.Source)).SaveAsync(
            TenantRecords.IdentitySource(tenant.PoolId, Tenant.Source, [tenant.AppId], association: AccountAssociation.FieldMatch), null);
        var openId = await system.Emulator.CreateUserAsync(phone: "13712345678", unionId: "union-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(id, (await Logins.LoginAsync(system, tenant, openId, sharePhone: true)).Id);
        Assert.Equal(id, Assert.Single((await admin.OkAsync(HttpMethod.Post, $"{users}/search", new { openId }))["items"]!.AsArray())!["id"]!.GetValue<string>());
        var identity = Assert.Single((await admin.OkAsync(HttpMethod.Get, $"{users}/{id}/identities"))["items"]!.AsArray())!;
        var subject = identity["subject"]!.GetValue<string>();
        Assert.StartsWith("unionid:", subject);
        Assert.Equal(id, Assert.Single((await admin.OkAsync(HttpMethod.Post, $"{users}/search", new { unionId = subject["unionid:".Length..] }))["items"]!.AsArray())!["id"]!.GetValue<string>());
        await admin.OkAsync(HttpMethod.Delete, $"{users}/{id}/identities/{Uri.EscapeDataString(subject)}", expected: HttpStatusCode.NoContent);
        Assert.Empty((await admin.OkAsync(HttpMethod.Get, $"{users}/{id}/identities"))["items"]!.AsArray());
        await admin.ProblemAsync(HttpMethod.Delete, $"{users}/{id}/identities/{Uri.EscapeDataString(subject)}", null, HttpStatusCode.NotFound, "not_found");

        Assert.True((await admin.OkAsync(HttpMethod.Post, $"{users}/{id}/block"))["blocked"]!.GetValue<bool>());
        Assert.False((await admin.OkAsync(HttpMethod.Post, $"{users}/{id}/unblock"))["blocked"]!.GetValue<bool>());
        await admin.OkAsync(HttpMethod.Delete, $"{users}/{id}", expected: HttpStatusCode.NoContent);
        await admin.ProblemAsync(HttpMethod.Get, $"{users}/{id}", null, HttpStatusCode.NotFound, "not_found");
        await admin.ProblemAsync(HttpMethod.Post, $"{users}/{id}/block", null, HttpStatusCode.NotFound, "not_found");

        var audit = (await admin.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{tenant.PoolId}/audit?limit=200"))["items"]!.AsArray()
            .Where(e => e!["resourceType"]!.GetValue<string>() == "user").ToList();
        Assert.Equal(["create", "bind_identity_by_phone", "unbind_identity", "block", "unblock", "delete"], audit.Select(e => e!["action"]!.GetValue<string>()).ToArray());
        var auditText = string.Join("\n", audit.Select(e => e!.ToJsonString()));
        var created0 = JsonNode.Parse(audit[0]!["after"]!.GetValue<string>())!;
        Assert.Equal(("+86137******78", false), (created0["phone"]!.GetValue<string>(), created0.ToJsonString().Contains("hash", StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain("12345678", auditText);
        Assert.DoesNotContain("AQAAAA", auditText); // Identity's hash prefix
        Assert.Empty(system.Logs.Lines.Where(l => l.Contains("13712345678") || l.Contains("a strong password") || l.Contains("AQAAAA")).Select(l => l[..Math.Min(300, l.Length)]));
    }

    [Fact]
    public async Task Import_creates_each_user_on_its_own_and_an_imported_password_hash_signs_in()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        using var admin = new AdminClient(system.Operator(system.PlatformKey));
        var hash = new PasswordHasher<object>().HashPassword(new object(), "imported secret");
        var result = await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users/import", new
        {
            users = new object[]
            {
                new { username = "imported", passwordHash = hash },
                new { email = "plain@example.com", password = "plain password" },
                new { username = "IMPORTED" },
                new { phone = "+8613755555555", blocked = true },
            },
        });
        Assert.Equal((3, 1), (result["created"]!.GetValue<int>(), result["failed"]!.GetValue<int>()));
        Assert.Equal("username_in_use", result["results"]![2]!["error"]!.GetValue<string>());
        Assert.True(result["results"]![3]!["user"]!["blocked"]!.GetValue<bool>());
        await admin.ProblemAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users/import", new { users = new[] { new { username = "x1y", passwordHash = "not a hash" } } },
            HttpStatusCode.BadRequest, "validation_failed");
        await admin.ProblemAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users/import", new { users = Array.Empty<object>() },
            HttpStatusCode.BadRequest, "validation_failed");

        var (ticket, _) = await Logins.ScanAndConfirmAsync(system, tenant, await system.Emulator.CreateUserAsync(phone: null));
        Assert.Equal(HttpStatusCode.OK, (await Logins.BindExistingAsync(system.A, ticket, "imported", "imported secret")).StatusCode);
        Assert.Equal(result["results"]![0]!["user"]!["id"]!.GetValue<string>(), (await Logins.ExchangeAsync(system, ticket)).Id);
    }

    [Fact]
    public async Task A_pool_key_manages_only_its_own_pools_users()
    {
        var mine = await system.CreateTenantAsync();
        var theirs = await system.CreateTenantAsync();
        using var platform = new AdminClient(system.Operator(system.PlatformKey));
        var key = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{mine.PoolId}/api-keys", new { name = "ops" }, HttpStatusCode.Created))["key"]!.GetValue<string>();
        var theirUser = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{theirs.PoolId}/users", new { username = "theirs" }, HttpStatusCode.Created))["id"]!.GetValue<string>();
        using var pool = new AdminClient(system.Operator(key));

        await pool.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{mine.PoolId}/users", new { username = "mine" }, HttpStatusCode.Created);
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/admin/v1/pools/{theirs.PoolId}/users/{theirUser}"),
            (HttpMethod.Post, $"/admin/v1/pools/{theirs.PoolId}/users/search"),
            (HttpMethod.Post, $"/admin/v1/pools/{theirs.PoolId}/users/{theirUser}/block"),
            (HttpMethod.Delete, $"/admin/v1/pools/{theirs.PoolId}/users/{theirUser}"),
            (HttpMethod.Get, $"/admin/v1/pools/{theirs.PoolId}/users/{theirUser}/identities"),
            (HttpMethod.Get, $"/admin/v1/pools/{mine.PoolId}/users/{theirUser}"),
        })
            await pool.ProblemAsync(method, path, method == HttpMethod.Post ? new { username = "theirs" } : null, HttpStatusCode.NotFound, "not_found");
        await pool.ProblemAsync(HttpMethod.Post, $"/admin/v1/pools/{theirs.PoolId}/users", new { username = "intruder" }, HttpStatusCode.NotFound, "not_found");
        Assert.False((await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{theirs.PoolId}/users/{theirUser}"))["blocked"]!.GetValue<bool>());
    }
}
