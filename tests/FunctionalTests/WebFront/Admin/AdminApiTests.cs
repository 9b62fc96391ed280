using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Admin;

/// <summary>The operators' API end to end: tenancy, validation, secrets, concurrency, audit, restarts, and logins through what it configures.</summary>
[Collection(SystemCollection.Name)]
public sealed class AdminApiTests(SystemFixture system)
{
    private static readonly HttpMethod Patch = HttpMethod.Patch;

    private static string NewPoolId() => "pool-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(AdminClient Platform, string PoolId, string AppId, string AppSecret)> PoolWithAppAsync(string[]? origins = null)
    {
        var platform = new AdminClient(system.Operator(system.PlatformKey));
        var poolId = NewPoolId();
        await platform.OkAsync(HttpMethod.Post, "/admin/v1/pools", new { id = poolId, name = "Shop" }, HttpStatusCode.Created);
        var app = await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications",
            new { name = "Shop web", allowedOrigins = origins ?? ["https://shop.example.com"], callbackUrls = new[] { "https://shop.example.com/cb" } },
            HttpStatusCode.Created);
        return (platform, poolId, app["application"]!["appId"]!.GetValue<string>(), app["appSecret"]!.GetValue<string>());
    }

    private static object Source(string identifier, string appId, bool privateDeployment = false, string? appIdWx = null, string? secret = null) => new
    {
        identifier,
        displayName = "WeChat",
        callbackUrl = "https://shop.example.com/auth/wechat",
        enabled = true,
        privateDeployment,
        miniProgramAppId = appIdWx,
        miniProgramAppSecret = secret,
        loginMode = "login_and_register",
        accountAssociation = "off",
        ticketLifetimeSeconds = 120,
        applicationIds = new[] { appId },
    };

    [Fact]
    public async Task An_operator_configures_a_private_identity_source_with_a_logo_and_a_user_logs_in_through_it()
    {
        var (platform, poolId, appId, appSecret) = await PoolWithAppAsync();
        var wxAppId = "wx" + Guid.NewGuid().ToString("N")[..16];
        const string wxSecret = "0123456789abcdef0123456789abcdef";
        await system.Emulator.RegisterMiniProgramAsync(wxAppId, wxSecret);

        var created = await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources",
            Source(Tenant.Source, appId, true, wxAppId, wxSecret), HttpStatusCode.Created);
        Assert.True(created["miniProgramAppSecretSet"]!.GetValue<bool>());
        Assert.Equal("wechat_miniprogram_qrcode", created["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await platform.PutLogoAsync($"/admin/v1/pools/{poolId}/identity-sources/{Tenant.Source}/logo", TestLogos.Png(), "image/png")).StatusCode);

        var listed = await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/identity-sources");
        var item = Assert.Single(listed["items"]!.AsArray())!;
        Assert.Equal(Tenant.Source, item["identifier"]!.GetValue<string>());
        Assert.True(item["logo"]!["set"]!.GetValue<bool>());
        Assert.Single((await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/applications"))["items"]!.AsArray());

        // A login through what the operator configured.
        var ticket = await Api.CreateTicketAsync(system.B, new Tenant(poolId, appId, appSecret) );
        var openId = await system.Emulator.CreateUserAsync(phone: null, appId: wxAppId);
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId, wxAppId));
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken)).StatusCode);
        var code = (await Api.StatusAsync(system.B, ticket.TicketId)).ExchangeCode!;
        var exchange = await Api.BackendExchangeAsync(system.B, code, appId, appSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var grant = (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!;
        Assert.Equal((poolId, "Mei"), (grant.User.PoolId, grant.User.Nickname));
        Assert.Equal(grant.User.Id, await Api.VerifiedSubjectAsync(system.A, poolId, appId, grant.AccessToken));
        // The operator sees the very user the login created.
        var user = Assert.Single((await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/users"))["items"]!.AsArray())!;
        Assert.Equal(grant.User.Id, user["id"]!.GetValue<string>());

        // Secrets: never in a response after creation, never in the audit log, never in a log line.
        var audit = await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/audit");
        Assert.Contains(audit["items"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "set_logo");
        var bodiesAfterCreation = platform.Bodies.Skip(2).Select(b => b).ToList();
        Assert.All(bodiesAfterCreation, body => Assert.DoesNotContain(appSecret, body));
        Assert.All(platform.Bodies, body => Assert.DoesNotContain(wxSecret, body));
        // The WeChat calls themselves are logged (jscode2session carries the secret in its query string) ...
        Assert.Contains(system.Logs.Lines, line => line.Contains("System.Net.Http.HttpClient") && line.Contains("jscode2session"));
        // ... but no line holds a secret.
        Assert.DoesNotContain(system.Logs.Lines, line => line.Contains(appSecret) || line.Contains(wxSecret) || line.Contains(system.PlatformKey));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz-0123", true)]   // 31 characters
    [InlineData("abcdefghijklmnopqrstuvwxyz-01234", false)] // 32 characters
    [InlineData("WeChat", false)]
    [InlineData("we_chat", false)]
    [InlineData("", false)]
    public async Task The_identifier_is_lowercase_letters_digits_and_dashes_shorter_than_32(string identifier, bool accepted)
    {
        var (platform, poolId, appId, _) = await PoolWithAppAsync();
        var (response, json) = await platform.SendAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources", Source(identifier, appId));
        if (accepted) Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull(json!["errors"]!["identifier"]);
        }
    }

    public static TheoryData<string, object?, bool> FieldCases => new()
    {
        { "callbackUrl", "https://shop.example.com/cb", true },
        { "callbackUrl", "http://127.0.0.1:8080/cb", true },
        { "callbackUrl", "http://shop.example.com/cb", false },
        { "callbackUrl", "/relative", false },
        { "displayName", "", false },
        { "displayName", new string('x', 65), false },
        { "ticketLifetimeSeconds", 30, true },
        { "ticketLifetimeSeconds", 29, false },
        { "ticketLifetimeSeconds", 600, true },
        { "ticketLifetimeSeconds", 601, false },
        { "loginMode", "login_only", true },
        { "loginMode", "sometimes", false },
        { "accountAssociation", "field_match", true },
        { "accountAssociation", "ask_binding", true },
        { "accountAssociation", "maybe", false },
        { "miniProgramAppId", "wx0123456789abcdef", true },
        { "miniProgramAppId", "0123456789abcdef", false },
        { "miniProgramAppSecret", "short", false },
    };

    [Theory]
    [MemberData(nameof(FieldCases))]
    public async Task Every_identity_source_field_is_validated(string field, object? value, bool accepted)
    {
        var (platform, poolId, appId, _) = await PoolWithAppAsync();
        var body = JsonNode.Parse(AdminClient.Json(Source("src", appId)))!.AsObject();
        body[field] = JsonNode.Parse(AdminClient.Json(value));
        var (response, json) = await platform.SendAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources", body);
        if (accepted) Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("validation_failed", json!["code"]!.GetValue<string>());
            Assert.NotNull(json["errors"]![field]);
        }
    }

    [Fact]
    public async Task Cross_field_rules_private_deployment_applications_and_duplicates()
    {
        var (platform, poolId, appId, _) = await PoolWithAppAsync();
        var path = $"/admin/v1/pools/{poolId}/identity-sources";
        await platform.ProblemAsync(HttpMethod.Post, path, Source("p", appId, true), HttpStatusCode.BadRequest, "validation_failed");
        await platform.ProblemAsync(HttpMethod.Post, path, Source("p", appId, true, "wx0123456789abcdef"), HttpStatusCode.BadRequest, "validation_failed");
        var (_, otherPool, otherApp, _) = await PoolWithAppAsync();
        var foreign = await platform.ProblemAsync(HttpMethod.Post, path, Source("p", otherApp), HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(foreign["errors"]!["applicationIds"]);
        await platform.OkAsync(HttpMethod.Post, path, Source("p", appId), HttpStatusCode.Created);
        await platform.ProblemAsync(HttpMethod.Post, path, Source("p", appId), HttpStatusCode.Conflict, "already_exists");
        // The refused creations left nothing behind in either pool.
        Assert.Equal("p", Assert.Single((await platform.OkAsync(HttpMethod.Get, path))["items"]!.AsArray())!["identifier"]!.GetValue<string>());
        Assert.Empty((await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{otherPool}/identity-sources"))["items"]!.AsArray());
    }

    [Fact]
    public async Task The_identifier_cannot_change_and_a_logo_must_be_a_real_image()
    {
        var (platform, poolId, appId, _) = await PoolWithAppAsync();
        var path = $"/admin/v1/pools/{poolId}/identity-sources/fixed";
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources", Source("fixed", appId), HttpStatusCode.Created);
        var refused = await platform.ProblemAsync(Patch, path, new { identifier = "renamed" }, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(refused["errors"]!["identifier"]);
        Assert.Equal("WeChat login", (await platform.OkAsync(Patch, path, new { displayName = "WeChat login" }))["displayName"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.BadRequest, (await platform.PutLogoAsync(path + "/logo", "not a png"u8.ToArray(), "image/png")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await platform.PutLogoAsync(path + "/logo", TestLogos.Png(), "image/gif")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await platform.PutLogoAsync(path + "/logo", TestLogos.Jpeg(), "image/jpeg")).StatusCode);
        Assert.False((await platform.OkAsync(HttpMethod.Get, path))["miniProgramAppSecretSet"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_pool_key_reaches_only_its_pool_and_other_pools_look_absent()
    {
        var (platform, poolA, appA, _) = await PoolWithAppAsync();
        var (_, poolB, appB, _) = await PoolWithAppAsync();
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolB}/identity-sources", Source("b-src", appB), HttpStatusCode.Created);
        var key = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolA}/api-keys", new { name = "ci" }, HttpStatusCode.Created))["key"]!.GetValue<string>();
        using var pool = new AdminClient(system.Operator(key));

        await pool.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolA}");
        await pool.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolA}/applications/{appA}");
        var ownList = await pool.OkAsync(HttpMethod.Get, "/admin/v1/pools");
        Assert.Equal(poolA, Assert.Single(ownList["items"]!.AsArray())!["id"]!.GetValue<string>());

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/admin/v1/pools/{poolB}"),
            (HttpMethod.Get, $"/admin/v1/pools/{poolB}/applications"),
            (HttpMethod.Get, $"/admin/v1/pools/{poolB}/applications/{appB}"),
            (HttpMethod.Get, $"/admin/v1/pools/{poolA}/applications/{appB}"),
            (HttpMethod.Get, $"/admin/v1/pools/{poolB}/identity-sources/b-src"),
            (HttpMethod.Get, $"/admin/v1/pools/{poolB}/users"),
            (HttpMethod.Get, $"/admin/v1/pools/{poolB}/audit"),
            (Patch, $"/admin/v1/pools/{poolB}"),
            (HttpMethod.Delete, $"/admin/v1/pools/{poolB}/identity-sources/b-src"),
            (HttpMethod.Get, $"/admin/v1/pools/pool-that-does-not-exist"),
        })
            await pool.ProblemAsync(method, path, method == HttpMethod.Get || method == HttpMethod.Delete ? null : new { name = "x" }, HttpStatusCode.NotFound, "not_found");

        await pool.ProblemAsync(HttpMethod.Post, "/admin/v1/pools", new { name = "mine" }, HttpStatusCode.Forbidden, "platform_key_required");
        using var nobody = new AdminClient(system.Operator("slk." + poolA + ".nokey.nosecret"));
        await nobody.ProblemAsync(HttpMethod.Get, $"/admin/v1/pools/{poolA}", null, HttpStatusCode.Unauthorized, "unauthorized");
        using var anonymous = new AdminClient(new HttpClient { BaseAddress = system.A.BaseAddress });
        await anonymous.ProblemAsync(HttpMethod.Get, "/admin/v1/pools", null, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.NotNull(await system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IUserPoolGrain>(poolB).GetSettingsAsync()); // untouched
    }

    [Fact]
    public async Task Two_updates_with_the_same_if_match_one_wins_and_one_gets_412()
    {
        var (platform, poolId, appId, _) = await PoolWithAppAsync();
        var path = $"/admin/v1/pools/{poolId}/applications/{appId}";
        var (first, _) = await platform.SendAsync(HttpMethod.Get, path);
        var etag = first.Headers.ETag!.Tag;

        var results = await Task.WhenAll(
            platform.SendAsync(Patch, path, new { name = "One" }, etag),
            platform.SendAsync(Patch, path, new { name = "Two" }, etag));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], results.Select(r => r.Response.StatusCode).Order().ToArray());
        await platform.ProblemAsync(Patch, path, new { name = "Three" }, HttpStatusCode.PreconditionFailed, "precondition_failed", etag);
        await platform.ProblemAsync(Patch, path, new { name = "Four" }, HttpStatusCode.BadRequest, "validation_failed", "not-an-etag");
    }

    [Fact]
    public async Task Application_secrets_are_shown_once_rotatable_and_never_read_back()
    {
        var (platform, poolId, appId, secret) = await PoolWithAppAsync();
        var path = $"/admin/v1/pools/{poolId}/applications/{appId}";
        var read = await platform.OkAsync(HttpMethod.Get, path);
        Assert.True(read["appSecretSet"]!.GetValue<bool>());
        Assert.DoesNotContain(secret, read.ToJsonString());

        var rotated = await platform.OkAsync(HttpMethod.Post, path + "/secret");
        var newSecret = rotated["appSecret"]!.GetValue<string>();
        Assert.NotEqual(secret, newSecret);
        var grain = system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IApplicationGrain>(appId);
        Assert.False(await grain.VerifySecretAsync(secret));
        Assert.True(await grain.VerifySecretAsync(newSecret));
        var bad = await platform.ProblemAsync(Patch, path, new { allowedOrigins = new[] { "https://shop.example.com/path" } }, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(bad["errors"]!["allowedOrigins"]);
    }

    [Fact]
    public async Task Tickets_need_an_enabled_source_associated_with_the_app_and_an_allowed_origin()
    {
        var (platform, poolId, appId, appSecret) = await PoolWithAppAsync(["https://shop.example.com"]);
        var otherApp = await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications", new { name = "Other" }, HttpStatusCode.Created);
        var other = otherApp["application"]!["appId"]!.GetValue<string>();
        var sources = $"/admin/v1/pools/{poolId}/identity-sources";
        await platform.OkAsync(HttpMethod.Post, sources, Source("scan", appId), HttpStatusCode.Created);

        async Task<HttpResponseMessage> Create(string app, string? origin = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = app, identitySource = "scan" }) };
            if (origin is not null) request.Headers.Add("Origin", origin);
            else request.Headers.Authorization = Api.AppCredentials(app, appSecret); // a server-side caller: no Origin, the app's secret
            return await system.A.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Created, (await Create(appId, "https://shop.example.com")).StatusCode);

        // A browser's preflight: answered for an origin some application allows, not for any other.
        async Task<string?> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/api/tickets");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type,x-authing-app-id");
            var response = await system.B.SendAsync(request);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }
        Assert.Equal("https://shop.example.com", await Preflight("https://shop.example.com"));
        Assert.Null(await Preflight("https://evil.example.com"));
        Assert.Equal(HttpStatusCode.Created, (await Create(appId)).StatusCode); // a server-side caller sends no Origin
        await Api.ProblemAsync(await Create(appId, "https://evil.example.com"), HttpStatusCode.Forbidden, "origin_not_allowed");
        var otherSecret = otherApp["appSecret"]!.GetValue<string>();
        var forOther = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = other, identitySource = "scan" }) };
        forOther.Headers.Authorization = Api.AppCredentials(other, otherSecret);
        await Api.ProblemAsync(await system.A.SendAsync(forOther), HttpStatusCode.Forbidden, "identity_source_not_enabled_for_application");

        var live = (await (await Create(appId)).Content.ReadFromJsonAsync<TicketCreated>())!;
        var scan = await Api.ScanOkAsync(system.B, live.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null)));
        await platform.OkAsync(Patch, $"{sources}/scan", new { enabled = false });
        await Api.ProblemAsync(await Create(appId), HttpStatusCode.Forbidden, "identity_source_disabled");
        var confirmed = await (await Api.ConfirmAsync(system.B, live.TicketId, scan.ScanToken)).Content.ReadFromJsonAsync<TicketView>();
        Assert.Equal(("rejected", "identity_source_disabled"), (confirmed!.Status, confirmed.Reason));

        await platform.OkAsync(HttpMethod.Delete, $"{sources}/scan", expected: HttpStatusCode.NoContent);
        await Api.ProblemAsync(await Create(appId), HttpStatusCode.NotFound, "identity_source_not_found");
        Assert.Empty((await platform.OkAsync(HttpMethod.Get, sources))["items"]!.AsArray());
    }

    [Fact]
    public async Task The_audit_log_says_who_did_what_with_before_and_after()
    {
        var (platform, poolId, appId, secret) = await PoolWithAppAsync();
        await platform.OkAsync(Patch, $"/admin/v1/pools/{poolId}/applications/{appId}", new { name = "Renamed" });
        var audit = (await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/audit"))["items"]!.AsArray();
        var rename = audit.Last()!;
        Assert.Equal(("update", "application", appId, "platform:platform"),
            (rename["action"]!.GetValue<string>(), rename["resourceType"]!.GetValue<string>(), rename["resourceId"]!.GetValue<string>(), rename["actor"]!.GetValue<string>()));
        Assert.Contains("Shop web", rename["before"]!.GetValue<string>());
        Assert.Contains("Renamed", rename["after"]!.GetValue<string>());
        Assert.DoesNotContain(secret, audit.ToJsonString());

        var page = await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/audit?limit=1");
        Assert.Single(page["items"]!.AsArray());
        var next = await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/audit?limit=1&cursor={page["nextCursor"]!.GetValue<string>()}");
        Assert.NotEqual(page["items"]![0]!["sequence"]!.GetValue<long>(), next["items"]![0]!["sequence"]!.GetValue<long>());
        await platform.ProblemAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/audit?limit=0", null, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Rotating_the_key_ring_keeps_stored_secrets_usable()
    {
        var (platform, poolId, appId, _) = await PoolWithAppAsync();
        var wxAppId = "wx" + Guid.NewGuid().ToString("N")[..16];
        const string wxSecret = "fedcba9876543210fedcba9876543210";
        await system.Emulator.RegisterMiniProgramAsync(wxAppId, wxSecret);
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources", Source("rot", appId, true, wxAppId, wxSecret), HttpStatusCode.Created);

        var before = await platform.OkAsync(HttpMethod.Get, "/admin/v1/key-ring");
        var after = await platform.OkAsync(HttpMethod.Post, "/admin/v1/key-ring/rotate");
        Assert.Equal(before["currentKeyId"]!.GetValue<int>() + 1, after["currentKeyId"]!.GetValue<int>());

        var source = system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IIdentitySourceGrain>($"{poolId}/rot");
        Assert.Equal(wxSecret, (await source.GetRuntimeAsync())!.MiniProgramAppSecret); // made under the old key, still readable
        // A secret written under the new key (for another mini program: ScanLogin checks a new secret with WeChat first).
        var nextWxAppId = "wx" + Guid.NewGuid().ToString("N")[..16];
        await system.Emulator.RegisterMiniProgramAsync(nextWxAppId, "00112233445566778899aabbccddeeff");
        await platform.OkAsync(Patch, $"/admin/v1/pools/{poolId}/identity-sources/rot",
            new { miniProgramAppId = nextWxAppId, miniProgramAppSecret = "00112233445566778899aabbccddeeff" });
        Assert.Equal("00112233445566778899aabbccddeeff", (await source.GetRuntimeAsync())!.MiniProgramAppSecret);

        var key = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/api-keys", new { name = "ops" }, HttpStatusCode.Created))["key"]!.GetValue<string>();
        using var pool = new AdminClient(system.Operator(key));
        await pool.ProblemAsync(HttpMethod.Post, "/admin/v1/key-ring/rotate", null, HttpStatusCode.Forbidden, "platform_key_required");
    }

    [Fact]
    public async Task Pool_settings_decide_who_may_exchange_and_how_long_tokens_last()
    {
        var (platform, poolId, appId, appSecret) = await PoolWithAppAsync();
        var pool = await platform.OkAsync(Patch, $"/admin/v1/pools/{poolId}", new { browserExchange = false, tokenLifetimeSeconds = 600 });
        Assert.False(pool["browserExchange"]!.GetValue<bool>());
        await platform.ProblemAsync(Patch, $"/admin/v1/pools/{poolId}", new { tokenLifetimeSeconds = 59 }, HttpStatusCode.BadRequest, "validation_failed");
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources", Source(Tenant.Source, appId), HttpStatusCode.Created);

        var tenant = new Tenant(poolId, appId, appSecret);
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null)));
        await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken);
        var code = (await Api.StatusAsync(system.A, ticket.TicketId)).ExchangeCode!;
        await Api.ProblemAsync(await Api.ExchangeAsync(system.A, code, ticket.BrowserSecret), HttpStatusCode.Forbidden, "exchange_forbidden");

        var backend = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/exchange") { Content = JsonContent.Create(new { code }) };
        backend.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{appId}:{appSecret}")));
        var grant = (await (await system.B.SendAsync(backend)).Content.ReadFromJsonAsync<ExchangeResponse>())!;
        var site = new RelyingParty(system.A, poolId);
        var verified = await site.ValidateAccessTokenAsync(grant.AccessToken, await site.JwksAsync(), appId);
        Assert.True(verified.IsValid, verified.Exception?.Message);
        var token = (Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)verified.SecurityToken;
        Assert.Equal(TimeSpan.FromSeconds(600), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task Listings_page_with_a_cursor()
    {
        var (platform, poolId, _, _) = await PoolWithAppAsync();
        for (var i = 0; i < 4; i++)
            await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/applications", new { name = $"App {i}" }, HttpStatusCode.Created);
        var seen = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/applications?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.InRange(page["items"]!.AsArray().Count, 1, 2);
            pages++;
            seen.AddRange(page["items"]!.AsArray().Select(a => a!["appId"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        // Every application exactly once, in one stable order, and no page larger than asked.
        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Distinct().Count());
        var all = (await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/applications?limit=200"))["items"]!.AsArray()
            .Select(a => a!["appId"]!.GetValue<string>()).ToList();
        Assert.Equal(all, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Everything_acknowledged_survives_a_restart_of_silos_and_front_ends()
    {
        var (platform, poolId, appId, secret) = await PoolWithAppAsync();
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{poolId}/identity-sources", Source("kept", appId), HttpStatusCode.Created);
        await platform.PutLogoAsync($"/admin/v1/pools/{poolId}/identity-sources/kept/logo", TestLogos.Png(), "image/png");
        var before = (await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/identity-sources/kept")).ToJsonString();

        await system.ReplaceSiloAsync(0);
        await system.ReplaceSiloAsync(1);
        await system.ReplaceFrontEndsAsync();

        using var again = new AdminClient(system.Operator(system.PlatformKey));
        Assert.Equal(before, (await again.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/identity-sources/kept")).ToJsonString());
        Assert.Equal("Shop", (await again.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}"))["name"]!.GetValue<string>());
        Assert.Single((await again.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{poolId}/applications"))["items"]!.AsArray());
        Assert.True(await system.Grains.GetGrain<ScanLogin.Grains.Interfaces.IApplicationGrain>(appId).VerifySecretAsync(secret));
        var create = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId, identitySource = "kept" }) };
        create.Headers.Authorization = Api.AppCredentials(appId, secret);
        Assert.Equal(HttpStatusCode.Created, (await system.A.SendAsync(create)).StatusCode);
    }
}
