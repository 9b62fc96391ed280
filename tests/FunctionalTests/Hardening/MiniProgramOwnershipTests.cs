using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScanLogin.FunctionalTests.Admin;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>
/// A WeChat AppID is public. Another tenant naming it must neither take it over nor spend its owner's quota through
/// the cached access token; and a source whose WeChat calls keep failing slows down and tells its operator why.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class MiniProgramOwnershipTests(SystemFixture system)
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private const string WrongSecret = "ffffffffffffffffffffffffffffffff";

    private sealed record Pool(AdminClient Admin, string PoolId, string AppId, string AppSecret)
    {
        public string Sources => $"/admin/v1/pools/{PoolId}/identity-sources";
    }

    private async Task<Pool> PoolAsync()
    {
        var admin = new AdminClient(system.Operator(system.PlatformKey));
        var poolId = "pool-" + Guid.NewGuid().ToString("N")[..10];
        await admin.OkAsync(HttpMethod.Post, "/admin/v1/pools", new { id = poolId, name = "Shop" }, HttpStatusCode.Created);
        var app = await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications", new { name = "Shop web" }, HttpStatusCode.Created);
        return new Pool(admin, poolId, app["application"]!["appId"]!.GetValue<string>(), app["appSecret"]!.GetValue<string>());
    }

    private static object PrivateSource(string identifier, string appId, string wxAppId, string secret) => new
    {
        identifier, displayName = "WeChat", privateDeployment = true, miniProgramAppId = wxAppId, miniProgramAppSecret = secret,
        applicationIds = new[] { appId },
    };

    private async Task<TicketCreated> TicketAsync(Pool pool, string identifier)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = pool.AppId, identitySource = identifier }) };
        request.Headers.Authorization = Api.AppCredentials(pool.AppId, pool.AppSecret);
        var response = await system.A.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TicketCreated>())!;
    }

    /// <summary>A private source saved as the system saves seeded ones: no WeChat check of its secret.</summary>
    private async Task SaveWithoutCheckingAsync(Pool pool, string identifier, string wxAppId, string secret) =>
        await system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IIdentitySourceGrain>($"{pool.PoolId}/{identifier}").SaveAsync(
            new ScanLogin.Grains.Interfaces.IdentitySourceSettings(pool.PoolId, identifier, "WeChat", null, true, true, wxAppId,
                ScanLogin.Grains.Interfaces.LoginMode.LoginAndRegister, ScanLogin.Grains.Interfaces.AccountAssociation.Off,
                ScanLogin.Grains.Interfaces.IdentitySourceSettings.DefaultTicketLifetime, [pool.AppId]), secret);

    [Fact]
    public async Task A_pool_key_cannot_claim_a_public_AppID_with_a_secret_WeChat_refuses()
    {
        var wxAppId = "wx" + Guid.NewGuid().ToString("N")[..16];
        await system.Emulator.RegisterMiniProgramAsync(wxAppId, Secret);
        var squatter = await PoolAsync();
        var key = (await squatter.Admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{squatter.PoolId}/api-keys", new { name = "ops" }, HttpStatusCode.Created))["key"]!
            .GetValue<string>();
        using var poolKey = new AdminClient(system.Operator(key));
        var tokenRequests = await system.Emulator.TokenRequestsAsync(wxAppId);

        // Any 32 hex characters look like a secret; WeChat (the emulator's stable_token) says this one is not.
        var refused = await poolKey.ProblemAsync(HttpMethod.Post, squatter.Sources, PrivateSource("scan", squatter.AppId, wxAppId, WrongSecret),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(refused["errors"]!["miniProgramAppSecret"]);
        Assert.True(await system.Emulator.TokenRequestsAsync(wxAppId) > tokenRequests, "WeChat was never asked about the secret");
        await poolKey.OkAsync(HttpMethod.Get, $"{squatter.Sources}/scan", expected: HttpStatusCode.NotFound);
        // Nor by switching an existing source over.
        await poolKey.OkAsync(HttpMethod.Post, squatter.Sources, new { identifier = "plain", displayName = "WeChat", applicationIds = new[] { squatter.AppId } },
            HttpStatusCode.Created);
        await poolKey.ProblemAsync(HttpMethod.Patch, $"{squatter.Sources}/plain",
            new { privateDeployment = true, miniProgramAppId = wxAppId, miniProgramAppSecret = WrongSecret }, HttpStatusCode.BadRequest, "validation_failed");
        Assert.False((await poolKey.OkAsync(HttpMethod.Get, $"{squatter.Sources}/plain"))["privateDeployment"]!.GetValue<bool>());

        // Nothing was claimed: the real owner, with the secret WeChat accepts, configures its mini program.
        var owner = await PoolAsync();
        await owner.Admin.OkAsync(HttpMethod.Post, owner.Sources, PrivateSource("scan", owner.AppId, wxAppId, Secret), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_mini_program_belongs_to_the_first_pool_that_configures_it()
    {
        var wxAppId = "wx" + Guid.NewGuid().ToString("N")[..16];
        await system.Emulator.RegisterMiniProgramAsync(wxAppId, Secret);
        var owner = await PoolAsync();
        var other = await PoolAsync();

        await owner.Admin.OkAsync(HttpMethod.Post, owner.Sources, PrivateSource("scan", owner.AppId, wxAppId, Secret), HttpStatusCode.Created);
        await owner.Admin.OkAsync(HttpMethod.Post, owner.Sources, PrivateSource("scan-2", owner.AppId, wxAppId, Secret), HttpStatusCode.Created);
        await other.Admin.ProblemAsync(HttpMethod.Post, other.Sources, PrivateSource("scan", other.AppId, wxAppId, Secret),
            HttpStatusCode.Conflict, "mini_program_in_use");
        // Not by switching an existing source over either.
        await other.Admin.OkAsync(HttpMethod.Post, other.Sources, new { identifier = "plain", displayName = "WeChat", applicationIds = new[] { other.AppId } },
            HttpStatusCode.Created);
        await other.Admin.ProblemAsync(HttpMethod.Patch, $"{other.Sources}/plain",
            new { privateDeployment = true, miniProgramAppId = wxAppId, miniProgramAppSecret = Secret }, HttpStatusCode.Conflict, "mini_program_in_use");
        // The platform's own mini program serves every pool, but only through sources without private deployment.
        var platformApp = await other.Admin.ProblemAsync(HttpMethod.Post, other.Sources, PrivateSource("mine", other.AppId, EmulatorHost.AppId, WrongSecret),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(platformApp["errors"]!["miniProgramAppId"]);

        // Once the owner's sources stop using it, the AppID is free.
        await owner.Admin.OkAsync(HttpMethod.Delete, $"{owner.Sources}/scan", expected: HttpStatusCode.NoContent);
        await other.Admin.ProblemAsync(HttpMethod.Post, other.Sources, PrivateSource("scan", other.AppId, wxAppId, Secret), HttpStatusCode.Conflict, "mini_program_in_use");
        await owner.Admin.OkAsync(HttpMethod.Patch, $"{owner.Sources}/scan-2", new { privateDeployment = false, miniProgramAppId = (string?)null });
        await other.Admin.OkAsync(HttpMethod.Post, other.Sources, PrivateSource("scan", other.AppId, wxAppId, Secret), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_shared_mini_program_never_lends_its_access_token_to_a_wrong_secret()
    {
        var wxAppId = SystemFixture.SharedMiniProgramAppId;
        await system.Emulator.RegisterMiniProgramAsync(wxAppId, Secret);
        var owner = await PoolAsync();
        var borrower = await PoolAsync();
        await owner.Admin.OkAsync(HttpMethod.Post, owner.Sources, PrivateSource("scan", owner.AppId, wxAppId, Secret), HttpStatusCode.Created);
        // Through the admin API a wrong secret is refused outright; a source whose secret went wrong later (here written by
        // the system, as seeding does) must still not borrow the owner's token.
        await borrower.Admin.ProblemAsync(HttpMethod.Post, borrower.Sources, PrivateSource("scan", borrower.AppId, wxAppId, WrongSecret),
            HttpStatusCode.BadRequest, "validation_failed");
        await SaveWithoutCheckingAsync(borrower, "scan", wxAppId, WrongSecret);

        var owned = await TicketAsync(owner, "scan");
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync($"/api/tickets/{owned.TicketId}/qr.png")).StatusCode); // the token is cached now
        var borrowed = await TicketAsync(borrower, "scan");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{borrowed.TicketId}/qr.png"), HttpStatusCode.BadGateway, "wechat_misconfigured");
        Assert.DoesNotContain(borrowed.TicketId, await system.Emulator.ScenesAsync(wxAppId));
    }

    [Fact]
    public async Task A_source_whose_wechat_calls_keep_failing_backs_off_and_shows_its_last_error()
    {
        var wxAppId = "wx" + Guid.NewGuid().ToString("N")[..16];
        await system.Emulator.RegisterMiniProgramAsync(wxAppId, Secret);
        var pool = await PoolAsync();
        await SaveWithoutCheckingAsync(pool, "scan", wxAppId, WrongSecret); // a secret that was right once, then rotated at WeChat
        await TicketAsync(pool, "scan"); // wakes the source's pool of pre-generated codes, which keeps asking WeChat

        JsonNode? health = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            health = (await pool.Admin.OkAsync(HttpMethod.Get, $"{pool.Sources}/scan"))["wechat"];
            if (health?["consecutiveFailures"]?.GetValue<int>() >= 3) break;
            await Task.Delay(250);
        }
        Assert.NotNull(health);
        Assert.Equal("wechat_misconfigured", health["lastErrorCode"]!.GetValue<string>());
        Assert.Contains("40125", health["lastErrorMessage"]!.GetValue<string>());
        var failures = health["consecutiveFailures"]!.GetValue<int>();
        Assert.True(failures >= 3, $"{failures} failures");
        // The pause doubles: after the third failure in a row the next try is at least 4 s away (not every second, forever).
        var pause = health["nextAttemptAt"]!.GetValue<DateTimeOffset>() - health["lastErrorAt"]!.GetValue<DateTimeOffset>();
        Assert.True(pause >= TimeSpan.FromSeconds(3.5), $"pause {pause} after {failures} failures");
        Assert.True(await system.Emulator.TokenRequestsAsync(wxAppId) <= failures + 1, "WeChat was asked more often than the failures reported");
    }
}
