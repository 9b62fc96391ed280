using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Admin;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The admin API's bearer-key filter on its own: which keys name an operator and which get 401.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class AdminAuthenticationTests(GrainClusterFixture fixture)
{
    private const string PlatformKey = "slp_platform_key_0123456789";
    private const string OldPlatformKey = "slp_platform_key_before_rotation";
    private static readonly string LongestKey = new('k', 256);

    private async Task<(bool Passed, HttpContext Http)> CallAsync(string? authorization, string path = "/admin/v1/pools")
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IClusterClient>(fixture.Cluster.Client)
            .AddSingleton(Options.Create(new AdminOptions
            {
                PlatformKeyHashes = [AdminAuth.HashPlatformKey(OldPlatformKey), AdminAuth.HashPlatformKey(PlatformKey),
                    AdminAuth.HashPlatformKey(LongestKey), AdminAuth.HashPlatformKey(LongestKey + "k")],
            }))
            .BuildServiceProvider();
        var passed = false;
        var app = new Microsoft.AspNetCore.Builder.ApplicationBuilder(services);
        app.UseAdminAuthentication();
        app.Run(_ => { passed = true; return Task.CompletedTask; });
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Path = path;
        http.Response.Body = new MemoryStream();
        if (authorization is not null) http.Request.Headers.Authorization = authorization;
        await app.Build()(http);
        return (passed, http);
    }

    private async Task<Operator> AcceptedAsync(string authorization)
    {
        var (passed, http) = await CallAsync(authorization);
        Assert.True(passed);
        return http.GetOperator();
    }

    private async Task RefusedAsync(string? authorization, string path = "/admin/v1/pools")
    {
        var (passed, http) = await CallAsync(authorization, path);
        Assert.False(passed);
        Assert.Equal(StatusCodes.Status401Unauthorized, http.Response.StatusCode);
        Assert.Equal("Bearer", http.Response.Headers.WWWAuthenticate.ToString());
        Assert.Contains("\"code\":\"unauthorized\"", System.Text.Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
        Assert.False(http.Items.ContainsKey("scanlogin.operator"));
    }

    [Fact]
    public async Task Platform_keys_are_accepted_case_insensitively_trimmed_and_across_a_rotation()
    {
        var platform = await AcceptedAsync("Bearer " + PlatformKey);
        Assert.True(platform.IsPlatform);
        Assert.Equal(Actor.Platform, platform.Actor);
        Assert.True((await AcceptedAsync("bearer  " + PlatformKey + " ")).IsPlatform);
        Assert.True((await AcceptedAsync("Bearer " + OldPlatformKey)).IsPlatform);
        Assert.True((await AcceptedAsync("Bearer " + LongestKey)).IsPlatform);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic c2xwOnNlY3JldA==")]
    [InlineData("Bearer slp_platform_key_012345678")]
    [InlineData("Bearer slp_platform_key_0123456789x")]
    [InlineData("slp_platform_key_0123456789")]
    [InlineData("Token slp_platform_key_0123456789")]
    public async Task Anything_else_is_401_with_a_bearer_challenge(string? authorization) => await RefusedAsync(authorization);

    [Fact]
    public void The_platform_key_hash_operators_configure_is_a_stable_format()
    {
        // ScanLogin:Admin:PlatformKeyHashes holds these values: changing the hash would lock every operator out.
        Assert.Equal(Secrets.Hash("platform-key", "slp_example"), AdminAuth.HashPlatformKey("slp_example"));
        Assert.Equal("iTWpG8bW188UmqpDMrHvXRXfcRKYfxVnPQ1PHcBLcRA", AdminAuth.HashPlatformKey("slp_example"));
    }

    [Fact]
    public async Task A_key_longer_than_256_characters_is_refused_unread()
    {
        await RefusedAsync("Bearer " + LongestKey + "k"); // its hash is even configured
    }

    [Theory]
    [InlineData("/admin/v1")]
    [InlineData("/ADMIN/V1/pools")]
    [InlineData("/admin/v1/pools/p1/users")]
    public async Task Every_path_of_the_admin_api_in_any_letter_case_needs_a_key(string path) => await RefusedAsync(null, path);

    [Theory]
    [InlineData("/api/tickets")]
    [InlineData("/healthz")]
    [InlineData("/admin/v10/pools")]
    public async Task Paths_outside_the_admin_api_are_left_to_their_own_rules(string path)
    {
        var (passed, http) = await CallAsync(null, path);
        Assert.True(passed);
        Assert.Equal(StatusCodes.Status200OK, http.Response.StatusCode);
    }

    [Fact]
    public async Task A_pool_key_names_its_pool_and_key_and_needs_its_secret()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var created = (await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).CreateApiKeyAsync("ci", Actor.Platform)).Value!;

        var pool = await AcceptedAsync("Bearer " + created.Value);
        Assert.False(pool.IsPlatform);
        Assert.Equal((poolId, new Actor("pool-key", created.Key.KeyId)), (pool.PoolId, pool.Actor));
        Assert.True(pool.CanSee(poolId));

        await RefusedAsync("Bearer " + created.Value + "x");
        await RefusedAsync("Bearer " + PoolApiKey.Format(poolId, created.Key.KeyId, "wrong"));
        var (otherPool, _) = await fixture.CreateTenantAsync();
        PoolApiKey.TryParse(created.Value, out _, out var keyId, out var secret);
        await RefusedAsync("Bearer " + PoolApiKey.Format(otherPool, keyId, secret));
    }
}
