using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScanLogin.FunctionalTests.Admin;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.MiniProgram;

/// <summary>POST /api/mini-program/login through the front ends, the emulator and PostgreSQL: the same user and policies as a PC scan.</summary>
[Collection(SystemCollection.Name)]
public sealed class MiniProgramLoginTests(SystemFixture system)
{
    private AdminClient Admin => new(system.Operator(system.PlatformKey));

    public static Task<HttpResponseMessage> LoginAsync(HttpClient http, Tenant tenant, string loginCode, string? phoneCode = null, string? appId = null,
        string identitySource = Tenant.Source) =>
        http.PostAsJsonAsync("/api/mini-program/login", new { poolId = tenant.PoolId, identitySource, appId = appId ?? tenant.AppId, loginCode, phoneCode });

    private async Task<JsonNode> SignedInAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body.ToJsonString()}");
        Assert.Equal("signed_in", body["status"]!.GetValue<string>());
        Assert.Equal("Bearer", body["tokenType"]!.GetValue<string>());
        Assert.Null(body["canRegister"]);
        return body;
    }

    [Fact]
    public async Task A_login_inside_the_mini_program_gets_the_same_subject_as_a_pc_scan_of_the_same_wechat_user()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: null);
        var (created, confirm) = await Logins.ScanAndConfirmAsync(system, tenant, openId);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var pc = await Logins.ExchangeFullAsync(system, created);

        var body = await SignedInAsync(await LoginAsync(system.B, tenant, await system.Emulator.LoginCodeAsync(openId)));
        Assert.Equal(pc.User.Id, body["user"]!["id"]!.GetValue<string>());
        var subject = await Api.VerifiedSubjectAsync(system.A, tenant.PoolId, tenant.AppId, body["accessToken"]!.GetValue<string>());
        Assert.Equal(await Api.VerifiedSubjectAsync(system.A, tenant.PoolId, tenant.AppId, pc.AccessToken), subject);
        var idToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(body["idToken"]!.GetValue<string>());
        Assert.Equal(pc.User.Id, idToken.Subject);
        Assert.Equal(tenant.AppId, idToken.Audiences.Single());
        Assert.Equal("wechat_mini_program", idToken.GetClaim("amr").Value);
        Assert.True(body["expiresAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow);
        // The other way round too: a new person who starts in the mini program is the same user at the next PC scan.
        var newcomer = await system.Emulator.CreateUserAsync(phone: null);
        var first = await SignedInAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(newcomer)));
        Assert.Equal(first["user"]!["id"]!.GetValue<string>(), (await Logins.LoginAsync(system, tenant, newcomer)).Id);
    }

    [Fact]
    public async Task Login_only_refuses_an_unknown_wechat_user_with_account_not_found_and_creates_nobody()
    {
        var tenant = await system.CreateTenantAsync(LoginMode.LoginOnly);
        var openId = await system.Emulator.CreateUserAsync();
        var refused = await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId), await system.Emulator.PhoneCodeAsync(openId));
        await Api.ProblemAsync(refused, HttpStatusCode.Forbidden, "account_not_found");
        Assert.Equal(0, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1", tenant.PoolId));
    }

    [Fact]
    public async Task Field_match_signs_in_the_user_with_the_phone_number_wechat_shared()
    {
        var tenant = await system.CreateTenantAsync(LoginMode.LoginOnly, AccountAssociation.FieldMatch);
        using var admin = Admin;
        var existing = (await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users", new { username = "yan", phone = "+8613700000021" },
            HttpStatusCode.Created))["id"]!.GetValue<string>();
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000021");

        // Without the phone there is nothing to match, and login-only creates nobody.
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId)), HttpStatusCode.Forbidden, "account_not_found");
        var body = await SignedInAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId), await system.Emulator.PhoneCodeAsync(openId)));
        Assert.Equal(existing, body["user"]!["id"]!.GetValue<string>());
        Assert.Equal("+8613700000021", body["user"]!["phone"]!.GetValue<string>());
        // Now bound: the next login needs no phone.
        Assert.Equal(existing, (await SignedInAsync(await LoginAsync(system.B, tenant, await system.Emulator.LoginCodeAsync(openId))))["user"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ask_binding_answers_binding_required_with_what_the_mini_program_may_offer_and_binds_nothing()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        var openId = await system.Emulator.CreateUserAsync(phone: "13700000022");
        var response = await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId), await system.Emulator.PhoneCodeAsync(openId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("binding_required", body["status"]!.GetValue<string>());
        Assert.True(body["canRegister"]!.GetValue<bool>());
        Assert.True(body["phoneShared"]!.GetValue<bool>());
        Assert.False(body.ContainsKey("accessToken"));
        Assert.False(body.ContainsKey("user"));
        Assert.Equal(0, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1", tenant.PoolId));

        var loginOnly = await system.CreateTenantAsync(LoginMode.LoginOnly, AccountAssociation.AskBinding);
        var other = JsonNode.Parse(await (await LoginAsync(system.B, loginOnly, await system.Emulator.LoginCodeAsync(openId))).Content.ReadAsStringAsync())!;
        Assert.Equal(("binding_required", false, false), (other["status"]!.GetValue<string>(), other["canRegister"]!.GetValue<bool>(), other["phoneShared"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task A_blocked_user_is_refused_with_user_blocked()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: null);
        var user = (await SignedInAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId))))["user"]!["id"]!.GetValue<string>();
        using var admin = Admin;
        await admin.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/users/{user}/block");
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId)), HttpStatusCode.Forbidden, "user_blocked");
    }

    [Fact]
    public async Task A_disabled_identity_source_refuses_logins_before_asking_wechat()
    {
        var tenant = await system.CreateTenantAsync();
        var source = system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, Tenant.Source));
        await source.SaveAsync((await source.GetAsync())! with { Enabled = false }, null);
        var openId = await system.Emulator.CreateUserAsync();
        var code = await system.Emulator.LoginCodeAsync(openId);
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, code), HttpStatusCode.Forbidden, "identity_source_disabled");
        // The code was not spent: WeChat was not asked.
        await source.SaveAsync((await source.GetAsync())! with { Enabled = true }, null);
        await SignedInAsync(await LoginAsync(system.A, tenant, code));
    }

    [Fact]
    public async Task Wrong_application_source_and_mini_program_pairs_are_refused()
    {
        var tenant = await system.CreateTenantAsync();
        var stranger = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync();
        // An application of another pool, and one of this pool the source is not enabled for.
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId), appId: stranger.AppId),
            HttpStatusCode.Forbidden, "identity_source_not_enabled_for_application");
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId), identitySource: "no-such-source"),
            HttpStatusCode.NotFound, "identity_source_not_found");
        await Api.ProblemAsync(await LoginAsync(system.A, tenant with { PoolId = "pool-nowhere" }, await system.Emulator.LoginCodeAsync(openId)),
            HttpStatusCode.NotFound, "identity_source_not_found");

        // A privately deployed source trades codes with its own mini program: a code of the default one is not its user's.
        var appId = "wx" + Guid.NewGuid().ToString("N")[..16];
        const string secret = "0123456789abcdef0123456789abcdef";
        await system.Emulator.RegisterMiniProgramAsync(appId, secret);
        var source = system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, Tenant.Source));
        await source.SaveAsync((await source.GetAsync())! with { PrivateDeployment = true, MiniProgramAppId = appId }, secret);
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(openId)), HttpStatusCode.BadRequest, "wechat_code_invalid");
        var own = await system.Emulator.CreateUserAsync(appId: appId);
        var body = await SignedInAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(own, appId)));
        Assert.Equal(1, await Logins.CountAsync(system,
            "SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1 AND user_id = $2 AND openid = $3", tenant.PoolId,
            body["user"]!["id"]!.GetValue<string>(), own));
        // A phone-number code of another mini program's user does not pass either.
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, await system.Emulator.LoginCodeAsync(own, appId), await system.Emulator.PhoneCodeAsync(openId)),
            HttpStatusCode.BadRequest, "wechat_code_invalid");
    }

    [Fact]
    public async Task WeChat_refusals_of_the_login_code_keep_their_stable_codes()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync();
        var code = await system.Emulator.LoginCodeAsync(openId);
        await SignedInAsync(await LoginAsync(system.A, tenant, code));
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, code), HttpStatusCode.Conflict, "wechat_code_used");
        await Api.ProblemAsync(await LoginAsync(system.A, tenant, "not-a-code"), HttpStatusCode.BadRequest, "wechat_code_invalid");
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"identitySource":"wechat","appId":"a","loginCode":"c"}""", "poolId" },
        { """{"poolId":"p","identitySource":"WeChat!","appId":"a","loginCode":"c"}""", "identitySource" },
        { """{"poolId":"p","identitySource":"wechat","appId":"a b","loginCode":"c"}""", "appId" },
        { """{"poolId":"p","identitySource":"wechat","appId":"a","loginCode":""}""", "loginCode" },
        { $$"""{"poolId":"p","identitySource":"wechat","appId":"a","loginCode":"{{new string('c', 129)}}"}""", "loginCode" },
        { $$"""{"poolId":"p","identitySource":"wechat","appId":"a","loginCode":"c","phoneCode":"{{new string('c', 129)}}"}""", "phoneCode" },
        { """{"poolId":"p\u0001","identitySource":"wechat","appId":"a","loginCode":"c"}""", "poolId" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_400_naming_the_field(string json, string field)
    {
        var response = await system.A.PostAsync("/api/mini-program/login", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), errors.ToJsonString());
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        var response = await system.A.PostAsync("/api/mini-program/login", new StringContent("{\"poolId\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
