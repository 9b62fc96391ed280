using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Authing;

/// <summary>
/// The wire contract of the Authing-compatible endpoints, field by field and status by status, through the real front ends:
/// what authing-js-sdk 4.23.55 reads (its HttpClient accepts only a numeric code 200; check's status numbers; userinfo's
/// user), and the phone side. Every answer is HTTP 200 JSON with the envelope {code, message, data}.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class AuthingQrContractTests(SystemFixture system)
{
    internal const string Origin = "https://shop.example";
    private EmulatorHost Emulator => system.Emulator;

    // ---- gene -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Gene_answers_a_url_safe_random_a_cross_origin_image_url_an_empty_custom_logo_and_expires_in()
    {
        var tenant = await TenantAsync();
        var (code, message, data) = await SendAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { autoMergeQrCode = false, scene = "WXAPP_AUTH" });
        Assert.Equal(200, code);
        Assert.False(string.IsNullOrEmpty(message));
        var random = data!["random"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$", random);
        Assert.Equal("", data["customLogo"]!.GetValue<string>());
        Assert.Equal(120, data["expiresIn"]!.GetValue<int>());
        var url = new Uri(data["url"]!.GetValue<string>());
        Assert.True(url.IsAbsoluteUri);
        Assert.Equal(system.A.BaseAddress!.Authority, url.Authority);
        Assert.Equal($"/api/tickets/{random[..22]}/qr.png", url.AbsolutePath);
        Assert.Equal(4, data.AsObject().Count);

        // The SDK loads it with crossOrigin="Anonymous" and draws it on a canvas.
        var image = new HttpRequestMessage(HttpMethod.Get, url);
        image.Headers.Add("Origin", Origin);
        var png = await system.B.SendAsync(image);
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Origin, png.Headers.GetValues("Access-Control-Allow-Origin").Single());

        // The ticket is a native one: same grain, same status.
        Assert.Equal("pending", (await Api.StatusAsync(system.B, random[..22])).Status);
    }

    [Fact]
    public async Task Gene_is_served_under_the_GenAuth_path_too_and_ignores_the_user_pool_header()
    {
        var tenant = await TenantAsync();
        var other = await TenantAsync();
        var request = Request(HttpMethod.Post, "/api/qrcode/gene", tenant, new { scene = "WXAPP_AUTH", context = new { ip = "1.2.3.4" }, @params = new { } });
        request.Headers.Add("x-authing-userpool-id", other.PoolId);
        var (code, _, data) = await ReadAsync(await system.A.SendAsync(request));
        Assert.Equal(200, code);
        Assert.Equal("pending", (await Api.StatusAsync(system.A, data!["random"]!.GetValue<string>()[..22])).Status);
    }

    [Theory]
    [InlineData("APP_AUTH")]
    [InlineData("WECHATMP_AUTH")]
    [InlineData(null)]
    public async Task Gene_refuses_other_scenes_in_the_envelope(string? scene)
    {
        var (code, message, data) = await SendAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", await TenantAsync(), new { scene });
        Assert.Equal(400, code);
        Assert.Equal("scene_not_supported", data!["error"]!.GetValue<string>());
        Assert.Contains("WXAPP_AUTH", message);
    }

    [Fact]
    public async Task Gene_refuses_a_missing_or_unknown_application_custom_data_and_a_bad_body()
    {
        var tenant = await TenantAsync();
        var noApp = new HttpRequestMessage(HttpMethod.Post, "/api/v2/qrcode/gene") { Content = JsonContent.Create(new { scene = "WXAPP_AUTH" }) };
        await AssertRefusedAsync(await system.A.SendAsync(noApp), 400, "app_id_required");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant with { AppId = "no-such-app" }, new { scene = "WXAPP_AUTH" },
            404, "application_not_found");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH", @params = new { plan = "gold" } },
            400, "custom_data_not_supported");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH", extIdpConnId = new string('a', 40) },
            400, "validation_failed");
        var broken = Request(HttpMethod.Post, "/api/v2/qrcode/gene", tenant, null);
        broken.Content = new StringContent("{\"scene\":", Encoding.UTF8, "application/json");
        await AssertRefusedAsync(await system.A.SendAsync(broken), 400, "malformed_request");
        var wrongType = Request(HttpMethod.Post, "/api/v2/qrcode/gene", tenant, null);
        wrongType.Content = new StringContent("{\"scene\":42}", Encoding.UTF8, "application/json");
        await AssertRefusedAsync(await system.A.SendAsync(wrongType), 400, "malformed_request");
    }

    [Fact]
    public async Task Gene_uses_extIdpConnId_else_the_one_enabled_source_and_refuses_when_there_are_several()
    {
        var tenant = await TenantAsync();
        await AddSourceAsync(tenant, "second", enabled: false);
        Assert.Equal(200, (await SendAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH" })).Code);
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH", extIdpConnId = "second" },
            403, "identity_source_disabled");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH", extIdpConnId = "nope" },
            404, "identity_source_not_found");

        var several = await TenantAsync();
        await AddSourceAsync(several, "second", enabled: true);
        var (code, message, data) = await SendAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", several, new { scene = "WXAPP_AUTH" });
        Assert.Equal(400, code);
        Assert.Equal("identity_source_ambiguous", data!["error"]!.GetValue<string>());
        Assert.Contains("second", message);
        Assert.Contains(Tenant.Source, message);
        var named = await SendAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", several, new { scene = "WXAPP_AUTH", extIdpConnId = "second" });
        Assert.Equal(200, named.Code);

        var none = await TenantAsync();
        await system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(none.PoolId, Tenant.Source)).SaveAsync(
            (await system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(none.PoolId, Tenant.Source)).GetAsync())! with { Enabled = false }, null);
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", none, new { scene = "WXAPP_AUTH" }, 404, "identity_source_not_found");
    }

    // ---- check ------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Check_reports_0_then_1_then_2_with_the_same_ticket_on_every_poll_even_after_the_exchange()
    {
        var tenant = await TenantAsync(browserExchange: true);
        var random = await GeneAsync(tenant);

        var pending = await CheckAsync(tenant, random);
        Assert.Equal(random, pending["random"]!.GetValue<string>());
        Assert.Equal(0, pending["status"]!.GetValue<int>());
        Assert.Null(pending["ticket"]);
        Assert.Empty(pending["userInfo"]!.AsObject());
        Assert.Null(pending["scannedResult"]);

        var openId = await Emulator.CreateUserAsync(phone: null);
        var scanToken = await ScanAsync(random, openId);
        var scanned = await CheckAsync(tenant, random);
        Assert.Equal(1, scanned["status"]!.GetValue<int>());
        Assert.Equal("Mei", scanned["userInfo"]!["nickname"]!.GetValue<string>());
        Assert.Equal("https://img.example/mei.png", scanned["userInfo"]!["photo"]!.GetValue<string>());
        Assert.Null(scanned["ticket"]);

        await PhoneAsync("confirm", new { random = random[..22], scanToken });
        var authorized = await CheckAsync(tenant, random);
        Assert.Equal(2, authorized["status"]!.GetValue<int>());
        var ticket = authorized["ticket"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$", ticket);
        Assert.NotEqual(random, ticket);
        Assert.Equal("Mei", authorized["userInfo"]!["nickname"]!.GetValue<string>());
        Assert.Null(authorized["userInfo"]!["token"]);
        Assert.Equal(ticket, (await CheckAsync(tenant, random, system.B))["ticket"]!.GetValue<string>());

        Assert.Equal(200, (await ExchangeAsync(tenant, ticket)).Code);
        var consumed = await CheckAsync(tenant, random);
        Assert.Equal(2, consumed["status"]!.GetValue<int>());
        Assert.Equal(ticket, consumed["ticket"]!.GetValue<string>());
    }

    [Fact]
    public async Task Check_reports_3_when_the_phone_cancels_and_minus_1_when_the_code_expires()
    {
        var tenant = await TenantAsync(browserExchange: true);
        var cancelled = await GeneAsync(tenant);
        var scanToken = await ScanAsync(cancelled, await Emulator.CreateUserAsync(phone: null));
        await PhoneAsync("cancel", new { random = cancelled[..22], scanToken });
        var status = await CheckAsync(tenant, cancelled);
        Assert.Equal(3, status["status"]!.GetValue<int>());
        Assert.Empty(status["userInfo"]!.AsObject());
        Assert.Null(status["ticket"]);

        var expiring = await GeneAsync(tenant);
        system.Time.Advance(TimeSpan.FromSeconds(121));
        var expired = await WaitForStatusAsync(tenant, expiring, -1);
        Assert.Empty(expired["userInfo"]!.AsObject());
        Assert.Null(expired["ticket"]);
        // Told apart from "already used": a phone scanning the expired code, and an exchange of it, answer 410 ticket_expired.
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/scanned", null,
            new { random = expiring[..22], loginCode = await Emulator.LoginCodeAsync(await Emulator.CreateUserAsync(phone: null)) }, 410, "ticket_expired");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", tenant, new { ticket = expiring }, 410, "ticket_expired");
    }

    [Fact]
    public async Task Check_reports_5_with_message_and_errmsg_when_the_pool_refuses_the_login()
    {
        var tenant = await TenantAsync(mode: LoginMode.LoginOnly);
        var random = await GeneAsync(tenant);
        var scanToken = await ScanAsync(random, await Emulator.CreateUserAsync(phone: null));
        var confirmed = await PhoneAsync("confirm", new { random = random[..22], scanToken });
        Assert.Equal(5, confirmed["status"]!.GetValue<int>());

        var status = await CheckAsync(tenant, random);
        Assert.Equal(5, status["status"]!.GetValue<int>());
        Assert.Null(status["ticket"]);
        Assert.Empty(status["userInfo"]!.AsObject());
        var result = status["scannedResult"]!;
        Assert.Equal(403, result["code"]!.GetValue<int>());
        Assert.Equal("account_not_found", result["reason"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(result["errmsg"]!.GetValue<string>()));
        Assert.Equal(result["errmsg"]!.GetValue<string>(), result["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_phone_confirm_carries_the_binding_code_when_the_login_waits_for_binding_and_only_then()
    {
        var asking = await system.CreateTenantAsync(association: AccountAssociation.AskBinding, allowedOrigins: [Origin]);
        var random = await GeneAsync(asking);
        var scanToken = await ScanAsync(random, await Emulator.CreateUserAsync(phone: null));
        var confirmed = await PhoneAsync("confirm", new { random = random[..22], scanToken });
        var code = confirmed["bindingCode"]!.GetValue<string>();
        Assert.Matches("^[0-9]{6}$", code);
        Assert.Equal(code, (await PhoneAsync("confirm", new { random = random[..22], scanToken }))["bindingCode"]!.GetValue<string>());
        Assert.DoesNotContain(code, (await CheckAsync(asking, random)).ToJsonString());

        var plain = await TenantAsync();
        var other = await GeneAsync(plain);
        var signedIn = await PhoneAsync("confirm", new { random = other[..22], scanToken = await ScanAsync(other, await Emulator.CreateUserAsync(phone: null)) });
        Assert.Null(signedIn["bindingCode"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?random=")]
    [InlineData("?random=nothing-like-a-random")]
    [InlineData("?random=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Check_answers_2241_for_a_random_it_does_not_know(string query)
    {
        await AssertRefusedAsync(system.A, HttpMethod.Get, "/api/v2/qrcode/check" + query, await TenantAsync(), null, 2241, "ticket_not_found");
    }

    [Fact]
    public async Task Check_without_an_application_is_refused_and_another_applications_code_does_not_exist_for_it()
    {
        var tenant = await TenantAsync(browserExchange: true);
        var other = await TenantAsync(browserExchange: true);
        var random = await GeneAsync(tenant);
        var noApp = await system.A.GetAsync($"/api/v2/qrcode/check?random={random}");
        await AssertRefusedAsync(noApp, 400, "app_id_required");

        var scanToken = await ScanAsync(random, await Emulator.CreateUserAsync(phone: null));
        await PhoneAsync("confirm", new { random = random[..22], scanToken });
        await AssertRefusedAsync(system.A, HttpMethod.Get, $"/api/v2/qrcode/check?random={random}", other, null, 2241, "ticket_not_found");
        var ticket = (await CheckAsync(tenant, random))["ticket"]!.GetValue<string>();
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", other, new { ticket }, 2241, "ticket_not_found");
        var otherBackend = Backend(other, ticket, appHeader: false);
        await AssertRefusedAsync(await system.A.SendAsync(otherBackend), 2241, "ticket_not_found");
        Assert.Equal(200, (await ExchangeAsync(tenant, ticket)).Code);
    }

    // ---- userinfo ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Userinfo_answers_the_user_the_SDK_stores_once_then_refuses_the_ticket()
    {
        var tenant = await TenantAsync(browserExchange: true);
        var (random, ticket) = await AuthorizedAsync(tenant, phone: "13900000001");
        var (code, _, user) = await ExchangeAsync(tenant, ticket);
        Assert.Equal(200, code);

        Assert.Equal(tenant.PoolId, user!["userPoolId"]!.GetValue<string>());
        Assert.Equal("Mei", user["nickname"]!.GetValue<string>());
        Assert.Equal("https://img.example/mei.png", user["photo"]!.GetValue<string>());
        Assert.Equal("+8613900000001", user["phone"]!.GetValue<string>());
        Assert.True(user["phoneVerified"]!.GetValue<bool>());
        Assert.False(user["emailVerified"]!.GetValue<bool>());
        Assert.False(user["blocked"]!.GetValue<bool>());
        Assert.False(user["isDeleted"]!.GetValue<bool>());
        foreach (var unknown in new[] { "username", "email", "unionid", "openid", "loginsCount", "lastIP" })
        {
            Assert.True(user.AsObject().ContainsKey(unknown), unknown);
            Assert.Null(user[unknown]);
        }
        // The token is the pool's ID token for the application: a site verifies it with the pool's JWKS.
        var site = new RelyingParty(system.B, tenant.PoolId);
        var verified = await site.ValidateIdTokenAsync(user["token"]!.GetValue<string>(), await site.JwksAsync(), tenant.AppId);
        Assert.True(verified.IsValid, verified.Exception?.Message);
        var token = (Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)verified.SecurityToken;
        Assert.Equal(user["id"]!.GetValue<string>(), token.Subject);
        var expiresAt = DateTimeOffset.Parse(user["tokenExpiredAt"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(token.ValidTo, TimeSpan.Zero), expiresAt.AddTicks(-(expiresAt.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", user["tokenExpiredAt"]!.GetValue<string>());
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT", user["signedUp"]!.GetValue<string>());
        Assert.Equal(user["signedUp"]!.GetValue<string>(), user["createdAt"]!.GetValue<string>());
        Assert.NotNull(user["lastLogin"]);

        await AssertRefusedAsync(system.B, HttpMethod.Post, "/api/v2/qrcode/userinfo", tenant, new { ticket }, 409, "ticket_already_exchanged");
        Assert.Equal("consumed", (await Api.StatusAsync(system.A, random[..22])).Status);
    }

    [Fact]
    public async Task Userinfo_from_a_browser_is_refused_unless_the_application_opted_in_from_an_allowed_origin_and_the_pool_allows_it()
    {
        var closed = await TenantAsync();
        var (_, ticket) = await AuthorizedAsync(closed);
        var (code, message, _) = await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", closed, new { ticket }, 403, "exchange_forbidden");
        Assert.Contains("Basic", message);

        var open = await TenantAsync(browserExchange: true);
        var (_, openTicket) = await AuthorizedAsync(open);
        var noOrigin = Request(HttpMethod.Post, "/api/v2/qrcode/userinfo", open, new { ticket = openTicket }, origin: null);
        await AssertRefusedAsync(await system.A.SendAsync(noOrigin), 403, "origin_not_allowed");
        var foreign = Request(HttpMethod.Post, "/api/v2/qrcode/userinfo", open, new { ticket = openTicket }, origin: "https://phish.example");
        await AssertRefusedAsync(await system.A.SendAsync(foreign), 403, "origin_not_allowed");

        // The pool's switch (the native rule, applied by the ticket grain) still wins over the application's opt-in.
        var pool = system.Grains.GetGrain<IUserPoolGrain>(open.PoolId);
        await pool.SaveSettingsAsync((await pool.GetSettingsAsync())! with { BrowserExchangeDisabled = true });
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", open, new { ticket = openTicket }, 403, "exchange_forbidden");
        await pool.SaveSettingsAsync((await pool.GetSettingsAsync())! with { BrowserExchangeDisabled = false });
        Assert.Equal(200, (await ExchangeAsync(open, openTicket)).Code);
    }

    [Fact]
    public async Task Userinfo_from_the_backend_takes_the_app_secret_as_Basic_credentials()
    {
        var tenant = await TenantAsync();
        var other = await TenantAsync();
        var (_, ticket) = await AuthorizedAsync(tenant);

        var wrongSecret = Backend(tenant with { AppSecret = "not-the-secret" }, ticket, appHeader: false);
        await AssertRefusedAsync(await system.A.SendAsync(wrongSecret), 403, "exchange_forbidden");
        var otherApp = Backend(other, ticket, appHeader: false);
        await AssertRefusedAsync(await system.A.SendAsync(otherApp), 2241, "ticket_not_found");
        var mismatch = Backend(tenant, ticket, appHeader: true);
        mismatch.Headers.Remove("x-authing-app-id");
        mismatch.Headers.Add("x-authing-app-id", other.AppId);
        await AssertRefusedAsync(await system.A.SendAsync(mismatch), 400, "app_id_required");

        var (code, _, user) = await ReadAsync(await system.B.SendAsync(Backend(tenant, ticket, appHeader: false)));
        Assert.Equal(200, code);
        Assert.Equal(tenant.PoolId, user!["userPoolId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Userinfo_refuses_a_ticket_before_authorization_a_malformed_one_and_a_tampered_one()
    {
        var tenant = await TenantAsync(browserExchange: true);
        var random = await GeneAsync(tenant);
        await ScanAsync(random, await Emulator.CreateUserAsync(phone: null));
        // The random's shape, but not a ticket a status-2 check gave.
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", tenant, new { ticket = random }, 409, "invalid_transition");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", tenant, new { ticket = "abc" }, 400, "exchange_code_invalid");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", tenant, new { ticket = (string?)null }, 400, "exchange_code_invalid");

        var (_, ticket) = await AuthorizedAsync(tenant);
        var tampered = ticket[..^1] + (ticket[^1] == 'A' ? 'B' : 'A');
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", tenant, new { ticket = tampered }, 403, "exchange_forbidden");
        Assert.Equal(200, (await ExchangeAsync(tenant, ticket)).Code);
    }

    // ---- phone side -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_phone_side_answers_status_numbers_and_refuses_what_the_native_api_refuses()
    {
        var tenant = await TenantAsync();
        var random = await GeneAsync(tenant);
        var id = random[..22];
        var openId = await Emulator.CreateUserAsync(phone: null);

        var scan = await PhoneAsync("scanned", new { random = id, loginCode = await Emulator.LoginCodeAsync(openId), nickname = "Mei" });
        Assert.Equal(id, scan["random"]!.GetValue<string>());
        Assert.Equal(1, scan["status"]!.GetValue<int>());
        Assert.Equal("Functional test site", scan["appName"]!.GetValue<string>());
        Assert.Equal("WeChat", scan["identitySourceName"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", scan["requesterIp"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(scan["description"]!.GetValue<string>()));
        Assert.NotNull(scan["requestedAt"]);
        var scanToken = scan["scanToken"]!.GetValue<string>();

        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/scanned", null, new { random = id }, 400, "validation_failed");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/scanned", null,
            new { random = "AAAAAAAAAAAAAAAAAAAAAA", loginCode = await Emulator.LoginCodeAsync(openId) }, 2241, "ticket_not_found");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/confirm", null, new { random = id, scanToken = "not-it" }, 403, "scan_token_invalid");
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/confirm", null, new { random = id }, 400, "validation_failed");

        var confirm = new HttpRequestMessage(HttpMethod.Post, "/api/qrcode/confirm") { Content = JsonContent.Create(new { random = id }) };
        confirm.Headers.Authorization = new("Bearer", scanToken);
        var (code, _, data) = await ReadAsync(await system.B.SendAsync(confirm));
        Assert.Equal(200, code);
        Assert.Equal(2, data!["status"]!.GetValue<int>());
        await AssertRefusedAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/cancel", null, new { random = id, scanToken }, 409, "invalid_transition");
    }

    // ---- CORS -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_preflight_with_the_SDK_headers_is_answered_without_running_the_handler()
    {
        await TenantAsync();
        const string headers = "content-type, x-authing-app-id, x-authing-request-from, x-authing-sdk-version, x-authing-lang, x-authing-userpool-id";
        foreach (var (path, method) in new[] { ("/api/v2/qrcode/gene", "POST"), ("/api/v2/qrcode/check?random=x", "GET"), ("/api/qrcode/userinfo", "POST") })
        {
            var response = await system.A.SendAsync(Preflight(path, Origin, method, headers));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(Origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
            var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
            foreach (var header in headers.Split(", ")) Assert.Contains(header, allowed);
            Assert.Contains(method, response.Headers.GetValues("Access-Control-Allow-Methods").Single());
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        // A browser sends the real request only when origin, method and every header are allowed.
        var phish = await system.A.SendAsync(Preflight("/api/v2/qrcode/gene", "https://phish.example", "POST", headers));
        Assert.False(phish.Headers.Contains("Access-Control-Allow-Origin"));
        var delete = await system.A.SendAsync(Preflight("/api/v2/qrcode/gene", Origin, "DELETE", headers));
        Assert.False(Allows(delete, "Access-Control-Allow-Methods", "DELETE"));
        var evil = await system.A.SendAsync(Preflight("/api/v2/qrcode/gene", Origin, "POST", headers + ", x-evil"));
        Assert.False(Allows(evil, "Access-Control-Allow-Headers", "x-evil"));
    }

    private static bool Allows(HttpResponseMessage preflight, string header, string value) =>
        preflight.Headers.Contains("Access-Control-Allow-Origin") && preflight.Headers.TryGetValues(header, out var values)
        && values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).Contains(value, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public async Task A_real_request_gets_the_origin_back_only_from_the_application_it_names()
    {
        var tenant = await TenantAsync();
        var stranger = await TenantAsync(origins: ["https://other-shop.example"]);
        var allowed = await system.A.SendAsync(Request(HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { scene = "WXAPP_AUTH" }));
        Assert.Equal(Origin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", allowed.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.Contains("Origin", allowed.Headers.Vary);

        // The origin is allowed by some application, but not by the one this request names.
        var check = Request(HttpMethod.Get, "/api/v2/qrcode/check?random=x", stranger, null, origin: Origin);
        var response = await system.A.SendAsync(check);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    // ---- admin ------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_admin_api_shows_and_changes_the_application_opt_in_which_is_off_by_default()
    {
        using var admin = system.Operator(system.PlatformKey);
        var pool = "authing-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/admin/v1/pools", new { id = pool, name = "Shop" })).StatusCode);
        var created = await admin.PostAsJsonAsync($"/admin/v1/pools/{pool}/applications", new { name = "Shop web", allowedOrigins = new[] { Origin } });
        var app = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["application"]!;
        Assert.False(app["authingBrowserExchange"]!.GetValue<bool>());
        var appId = app["appId"]!.GetValue<string>();

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/pools/{pool}/applications/{appId}") { Content = JsonContent.Create(new { authingBrowserExchange = true }) };
        patch.Headers.TryAddWithoutValidation("If-Match", created.Headers.ETag!.Tag);
        var patched = await admin.SendAsync(patch);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.True(JsonNode.Parse(await patched.Content.ReadAsStringAsync())!["authingBrowserExchange"]!.GetValue<bool>());
        Assert.True((await system.Grains.GetGrain<IApplicationGrain>(appId).GetAsync())!.AuthingBrowserExchange);
        var read = JsonNode.Parse(await admin.GetStringAsync($"/admin/v1/pools/{pool}/applications/{appId}"))!;
        Assert.True(read["authingBrowserExchange"]!.GetValue<bool>());

        var bad = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/pools/{pool}/applications/{appId}") { Content = JsonContent.Create(new { authingBrowserExchange = "yes" }) };
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync(bad)).StatusCode);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private async Task<Tenant> TenantAsync(bool browserExchange = false, LoginMode mode = LoginMode.LoginAndRegister, string[]? origins = null)
    {
        var tenant = await system.CreateTenantAsync(mode, allowedOrigins: origins ?? [Origin]);
        if (browserExchange)
        {
            var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
            await app.SaveAsync((await app.GetAsync())! with { AuthingBrowserExchange = true }, null);
        }
        return tenant;
    }

    private async Task AddSourceAsync(Tenant tenant, string identifier, bool enabled) =>
        await system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, identifier)).SaveAsync(
            TenantRecords.IdentitySource(tenant.PoolId, identifier, [tenant.AppId]) with { DisplayName = "WeChat 2", Enabled = enabled }, null);

    private async Task<string> GeneAsync(Tenant tenant)
    {
        var (code, message, data) = await SendAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/gene", tenant, new { autoMergeQrCode = false, scene = "WXAPP_AUTH" });
        Assert.True(code == 200, message);
        return data!["random"]!.GetValue<string>();
    }

    private async Task<JsonNode> CheckAsync(Tenant tenant, string random, HttpClient? http = null)
    {
        var (code, message, data) = await SendAsync(http ?? system.A, HttpMethod.Get, $"/api/v2/qrcode/check?random={random}", tenant, null);
        Assert.True(code == 200, message);
        return data!;
    }

    private async Task<JsonNode> WaitForStatusAsync(Tenant tenant, string random, int status)
    {
        JsonNode? last = null;
        for (var i = 0; i < 100; i++)
        {
            last = await CheckAsync(tenant, random);
            if (last["status"]!.GetValue<int>() == status) return last;
            await Task.Delay(50); // the grain's deadline timer runs on its own turn after the fake clock moved
        }
        throw new TimeoutException($"Status {status} never came in 100 checks 50 ms apart; the last check answered {last?.ToJsonString()}.");
    }

    private async Task<string> ScanAsync(string random, string openId)
    {
        var data = await PhoneAsync("scanned", new { random = random[..22], loginCode = await Emulator.LoginCodeAsync(openId), nickname = "Mei", avatarUrl = "https://img.example/mei.png" });
        return data["scanToken"]!.GetValue<string>();
    }

    private async Task<(string Random, string Ticket)> AuthorizedAsync(Tenant tenant, string? phone = null)
    {
        var random = await GeneAsync(tenant);
        var openId = await Emulator.CreateUserAsync(phone: phone);
        var scanToken = await ScanAsync(random, openId);
        await PhoneAsync("confirm", new { random = random[..22], scanToken, phoneCode = phone is null ? null : await Emulator.PhoneCodeAsync(openId) });
        return (random, (await CheckAsync(tenant, random))["ticket"]!.GetValue<string>());
    }

    private async Task<JsonNode> PhoneAsync(string move, object body)
    {
        var (code, message, data) = await ReadAsync(await system.B.PostAsJsonAsync($"/api/v2/qrcode/{move}", body));
        Assert.True(code == 200, $"{move}: {code} {message}");
        return data!;
    }

    private Task<(int Code, string Message, JsonNode? Data)> ExchangeAsync(Tenant tenant, string ticket) =>
        SendAsync(system.A, HttpMethod.Post, "/api/v2/qrcode/userinfo", tenant, new { ticket });

    private static HttpRequestMessage Backend(Tenant tenant, string ticket, bool appHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/qrcode/userinfo") { Content = JsonContent.Create(new { ticket }) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant.AppId}:{tenant.AppSecret}")));
        if (appHeader) request.Headers.Add("x-authing-app-id", tenant.AppId);
        return request;
    }

    /// <summary>What the SDK sends: its headers, the page's Origin, JSON.</summary>
    internal static HttpRequestMessage Request(HttpMethod method, string path, Tenant? tenant, object? body, string? origin = Origin)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (tenant is not null) request.Headers.Add("x-authing-app-id", tenant.AppId);
        request.Headers.Add("x-authing-request-from", "sdk");
        request.Headers.Add("x-authing-sdk-version", "js:4.21.8");
        request.Headers.Add("x-authing-lang", "zh-CN");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static async Task<(int Code, string Message, JsonNode? Data)> SendAsync(HttpClient http, HttpMethod method, string path, Tenant? tenant, object? body) =>
        await ReadAsync(await http.SendAsync(Request(method, path, tenant, body)));

    /// <summary>Every answer is HTTP 200 JSON with a numeric code (the SDK's check is code === 200) and a message.</summary>
    internal static async Task<(int Code, string Message, JsonNode? Data)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(JsonValueKind.Number, json["code"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, json["message"]!.GetValueKind());
        Assert.True(json.ContainsKey("data"));
        return (json["code"]!.GetValue<int>(), json["message"]!.GetValue<string>(), json["data"]);
    }

    private static Task<(int Code, string Message, JsonNode? Data)> AssertRefusedAsync(HttpClient http, HttpMethod method, string path, Tenant? tenant, object? body,
        int code, string error) =>
        SendAsync(http, method, path, tenant, body).ContinueWith(t => Refused(t.Result, code, error)).Unwrap();

    internal static async Task<(int Code, string Message, JsonNode? Data)> AssertRefusedAsync(HttpResponseMessage response, int code, string error) =>
        await Refused(await ReadAsync(response), code, error);

    private static Task<(int Code, string Message, JsonNode? Data)> Refused((int Code, string Message, JsonNode? Data) answer, int code, string error)
    {
        Assert.True(answer.Code == code, $"expected {code} {error}, got {answer.Code} {answer.Message} {answer.Data?.ToJsonString()}");
        Assert.Equal(error, answer.Data!["error"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(answer.Message));
        return Task.FromResult(answer);
    }
}
