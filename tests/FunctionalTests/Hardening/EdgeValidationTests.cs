using System.Net;
using System.Net.Http.Json;
using System.Text;
using ScanLogin.FunctionalTests.Admin;
using Xunit;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>Input an outside probe found answered 500: each is a clear 4xx in the one JSON shape, and nothing reaches storage.</summary>
[Collection(SystemCollection.Name)]
public sealed class EdgeValidationTests(SystemFixture system)
{
    private static StringContent Json(string raw) => new(raw, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("{\"appId\":\"a\\u0000b\",\"identitySource\":\"wechat-scan\"}", "appId")]
    [InlineData("{\"appId\":\"a\\u0001b\",\"identitySource\":\"wechat-scan\"}", "appId")]
    [InlineData("{\"appId\":\"demo-app\",\"identitySource\":\"wechat\\u0000scan\"}", "identitySource")]
    [InlineData("{\"appId\":\"demo-app\",\"identitySource\":\"wechat\\u001fscan\"}", "identitySource")]
    public async Task Control_characters_in_a_ticket_request_are_400(string body, string field)
    {
        var problem = await Api.ProblemAsync(await system.A.PostAsync("/api/tickets", Json(body)), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(field, problem.Detail);
    }

    [Fact]
    public async Task Control_characters_in_a_route_id_are_400_and_reach_no_grain()
    {
        using var platform = new AdminClient(system.Operator(system.PlatformKey));
        foreach (var path in new[] { "/admin/v1/pools/a%01b", "/admin/v1/pools/a%1Fb/users", "/admin/v1/pools/a%7Fb/applications/x%01y",
                     "/admin/v1/pools/shop/identity-sources/a%0Ab" })
            await platform.ProblemAsync(HttpMethod.Get, path, null, HttpStatusCode.BadRequest, "malformed_request");
        await Api.ProblemAsync(await Api.ScanAsync(system.A, "a%01b", "code"), HttpStatusCode.BadRequest, "malformed_request");
    }

    [Fact]
    public async Task A_blank_route_id_is_400_not_a_grain_key_orleans_refuses()
    {
        // Found by the property tests: DELETE /admin/v1/pools/%20 reached GetGrain(" "), which throws (500).
        using var platform = new AdminClient(system.Operator(system.PlatformKey));
        foreach (var path in new[] { "/admin/v1/pools/%20", "/admin/v1/pools/%20%20/users", "/admin/v1/pools/shop/applications/%20" })
            await platform.ProblemAsync(HttpMethod.Get, path, null, HttpStatusCode.BadRequest, "malformed_request");
        foreach (var path in new[] { "/admin/v1/pools/%20", "/admin/v1/pools/shop/applications/%20" })
            await platform.ProblemAsync(HttpMethod.Delete, path, null, HttpStatusCode.BadRequest, "malformed_request");
        await Api.ProblemAsync(await system.A.GetAsync("/api/tickets/%20"), HttpStatusCode.BadRequest, "malformed_request");
    }

    [Fact]
    public async Task No_grain_key_can_carry_a_control_character_even_past_the_edge()
    {
        // The edge refuses such ids; the call filter on every client and silo makes sure no other path activates one.
        await Assert.ThrowsAsync<ScanLogin.Grains.Interfaces.UnsafeGrainKeyException>(() =>
            system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IApplicationGrain>("a\0b").GetAsync());
        await Assert.ThrowsAsync<ScanLogin.Grains.Interfaces.UnsafeGrainKeyException>(() =>
            system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IIdentitySourceGrain>("pool/a\u0085b").GetAsync());
    }

    [Fact]
    public async Task A_nickname_with_a_nul_is_refused_at_scan()
    {
        var created = await Api.CreateTicketAsync(system.A, await system.CreateTenantAsync());
        var code = await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync());
        var response = await Api.ScanAsync(system.A, created.TicketId, code, "Me\0i");
        Assert.Contains("nickname", (await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed")).Detail);
        Assert.Equal("pending", (await Api.StatusAsync(system.A, created.TicketId)).Status);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public async Task A_long_poll_timeout_that_is_not_a_finite_number_is_400(string timeout)
    {
        var created = await Api.CreateTicketAsync(system.A, await system.CreateTenantAsync());
        var response = await system.A.GetAsync($"/api/tickets/{created.TicketId}/wait?version=0&timeout={timeout}");
        Assert.Contains("timeout", (await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed")).Detail);
    }

    [Theory]
    [InlineData("AA")]       // one NUL byte
    [InlineData("YQBi")]     // "a\0b"
    [InlineData("_w")]       // 0xFF: not UTF-8
    [InlineData("%%%")]      // not base64url
    public async Task A_listing_cursor_that_is_not_one_we_issued_is_400(string cursor)
    {
        using var platform = new AdminClient(system.Operator(system.PlatformKey));
        var tenant = await system.CreateTenantAsync();
        foreach (var path in new[] { "/admin/v1/pools", $"/admin/v1/pools/{tenant.PoolId}/users", $"/admin/v1/pools/{tenant.PoolId}/applications",
                     $"/admin/v1/pools/{tenant.PoolId}/identity-sources", $"/admin/v1/pools/{tenant.PoolId}/audit" })
        {
            var problem = await platform.ProblemAsync(HttpMethod.Get, $"{path}?cursor={Uri.EscapeDataString(cursor)}", null,
                HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]!["cursor"]);
        }
    }

    [Theory]
    [InlineData("{\"name\":\"a\",\"name\":\"b\"}")]
    [InlineData("{\"name\":\"a\",\"NAME\":\"b\"}")]
    [InlineData("{\"name\":\"\\ud800\"}")]
    [InlineData("{\"name\":\"x\\udc00y\"}")]
    public async Task A_patch_with_duplicate_keys_or_a_lone_surrogate_is_400_and_changes_nothing(string body)
    {
        var tenant = await system.CreateTenantAsync();
        using var http = system.Operator(system.PlatformKey);
        foreach (var path in new[] { $"/admin/v1/pools/{tenant.PoolId}/applications/{tenant.AppId}", $"/admin/v1/pools/{tenant.PoolId}/identity-sources/{Tenant.Source}",
                     $"/admin/v1/pools/{tenant.PoolId}" })
        {
            var before = await (await http.GetAsync(path)).Content.ReadAsStringAsync();
            var response = await http.PatchAsync(path, Json(body.Replace("\"name\"", path.EndsWith(Tenant.Source) ? "\"displayName\"" : "\"name\"")
                .Replace("\"NAME\"", path.EndsWith(Tenant.Source) ? "\"DISPLAYNAME\"" : "\"NAME\"")));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"PATCH {path} {body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(before, await (await http.GetAsync(path)).Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_create_body_is_400()
    {
        var tenant = await system.CreateTenantAsync();
        using var http = system.Operator(system.PlatformKey);
        var response = await http.PostAsync($"/admin/v1/pools/{tenant.PoolId}/applications", Json("{\"name\":\"shop\\ud800\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var scan = await system.A.PostAsync($"/api/mini-program/tickets/{(await Api.CreateTicketAsync(system.A, tenant)).TicketId}/scan",
            Json("{\"loginCode\":\"c\",\"nickname\":\"\\udfff\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, scan.StatusCode);
        Assert.Equal("application/problem+json", scan.Content.Headers.ContentType?.MediaType);
    }
}
