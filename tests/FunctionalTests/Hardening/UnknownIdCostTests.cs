using System.Net;
using System.Net.Http.Json;
using Orleans.Runtime;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>
/// Issue 19 item 4: ids a caller invents on the hosted login (pools, clients, login request ids), the Authing SDK endpoints and the phone's endpoints cost
/// no grain activation (which reads PostgreSQL or Redis) once the address has spent its unknown-id permits (20 at once
/// by default), whatever the endpoint; each new unknown id spends one. Counted through the cluster's activations.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class UnknownIdCostTests(RateLimitFixture system)
{
    private const int Asked = 40;
    private const int Permits = 20;

    private static string InventedName() => "ghost-" + Guid.NewGuid().ToString("N")[..16];

    private static string InventedQrCode(string ticketId) => ticketId + "." + Secrets.NewSecret();

    /// <summary>
    /// Asks <see cref="Asked"/> different invented ids from one address and checks that at most the address's permits
    /// (and one in flight) reached a grain, and that the rest were refused with 429 and Retry-After.
    /// </summary>
    private async Task AskInventedIdsAsync(string endpoint, Func<string> invent, Func<string, Task<HttpResponseMessage>> ask,
        HttpStatusCode missing)
    {
        system.LimiterTime.Advance(TimeSpan.FromMinutes(5)); // whatever this address missed before has refilled and been forgotten
        var ids = new List<string>();
        var answers = new List<int>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < Asked; i++)
        {
            var id = invent();
            ids.Add(id);
            var response = await ask(id);
            answers.Add((int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused ??= response;
            else Assert.True(response.StatusCode == missing, $"{endpoint}: invented id {id} answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        var activated = await ActivatedAsync(ids);
        Assert.True(activated <= Permits + 1, $"{endpoint}: {activated} of {Asked} invented ids activated a grain; answers {string.Join(",", answers)}");
        Assert.True(refused is not null, $"{endpoint}: never refused; answers {string.Join(",", answers)}");
        Assert.NotNull(refused.Headers.RetryAfter);
        system.LimiterTime.Advance(TimeSpan.FromMinutes(5)); // the next test starts with a full bucket
    }

    /// <summary>How many of <paramref name="ids"/> some grain of the cluster holds an activation for.</summary>
    private async Task<int> ActivatedAsync(IReadOnlyCollection<string> ids)
    {
        var grainIds = (await system.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics()).Select(s => s.GrainId.ToString()).ToArray();
        return ids.Count(id => grainIds.Any(g => g.Contains(id, StringComparison.Ordinal)));
    }

    private static string AuthorizeQuery(string clientId) =>
        $"response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString("https://site.example/cb")}&scope=openid&state=s&nonce=n" +
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGUSTmDKtk&code_challenge_method=S256";

    [Fact]
    public async Task Invented_pool_ids_on_authorize_cost_no_activation_beyond_the_address_permits()
    {
        var tenant = await system.CreateTenantAsync();
        await AskInventedIdsAsync("authorize (pool)", InventedName,
            pool => system.A.GetAsync($"/oidc/{pool}/authorize?{AuthorizeQuery(tenant.AppId)}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invented_client_ids_on_authorize_cost_no_activation_beyond_the_address_permits()
    {
        var tenant = await system.CreateTenantAsync();
        await AskInventedIdsAsync("authorize (client)", InventedName,
            client => system.B.GetAsync($"/oidc/{tenant.PoolId}/authorize?{AuthorizeQuery(client)}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Invented_client_ids_on_the_token_endpoint_cost_no_activation_beyond_the_address_permits()
    {
        var tenant = await system.CreateTenantAsync();
        await AskInventedIdsAsync("token", InventedName, client => system.A.PostAsync($"/oidc/{tenant.PoolId}/token", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "x", ["client_id"] = client, ["client_secret"] = "guess" })),
            HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Invented_pool_ids_on_userinfo_cost_no_activation_beyond_the_address_permits()
    {
        await AskInventedIdsAsync("userinfo", InventedName, pool =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{pool}/userinfo");
            request.Headers.Authorization = new("Bearer", "not-a-token");
            return system.B.SendAsync(request);
        }, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Invented_application_ids_on_authing_gene_cost_no_activation_beyond_the_address_permits()
    {
        await AskInventedIdsAsync("authing gene", InventedName, app =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/qrcode/gene") { Content = JsonContent.Create(new { }) };
            request.Headers.Add("x-authing-app-id", app);
            return system.A.SendAsync(request);
        }, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Invented_qr_codes_on_authing_check_and_scanned_cost_no_activation_beyond_the_address_permits()
    {
        var tenant = await system.CreateTenantAsync();
        await AskInventedIdsAsync("authing check", Secrets.NewId, ticketId =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v2/qrcode/check?random={InventedQrCode(ticketId)}");
            request.Headers.Add("x-authing-app-id", tenant.AppId);
            return system.B.SendAsync(request);
        }, HttpStatusCode.OK);
        await AskInventedIdsAsync("authing scanned", Secrets.NewId, ticketId =>
            system.A.PostAsJsonAsync("/api/v2/qrcode/scanned", new { random = ticketId, loginCode = "code-" + Guid.NewGuid().ToString("N") }),
            HttpStatusCode.OK);
    }

    [Fact]
    public async Task Invented_ticket_ids_on_the_phone_endpoints_cost_no_activation_beyond_the_address_permits()
    {
        await AskInventedIdsAsync("mini-program scan", Secrets.NewId,
            ticketId => Api.ScanAsync(system.A, ticketId, "code-" + Guid.NewGuid().ToString("N")), HttpStatusCode.NotFound);
        await AskInventedIdsAsync("mini-program confirm", Secrets.NewId,
            ticketId => system.B.PostAsJsonAsync($"/api/mini-program/tickets/{ticketId}/confirm", new { scanToken = Secrets.NewSecret() }),
            HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invented_pools_and_applications_on_mini_program_login_cost_no_activation_beyond_the_address_permits()
    {
        var tenant = await system.CreateTenantAsync();
        await AskInventedIdsAsync("mini-program login (pool)", InventedName, pool => system.A.PostAsJsonAsync("/api/mini-program/login",
            new { poolId = pool, identitySource = Tenant.Source, appId = tenant.AppId, loginCode = "code-" + Guid.NewGuid().ToString("N") }),
            HttpStatusCode.NotFound);
        await AskInventedIdsAsync("mini-program login (app)", InventedName, app => system.B.PostAsJsonAsync("/api/mini-program/login",
            new { poolId = tenant.PoolId, identitySource = Tenant.Source, appId = app, loginCode = "code-" + Guid.NewGuid().ToString("N") }),
            HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invented_ticket_ids_on_qr_images_cost_no_activation_beyond_the_address_permits()
    {
        await AskInventedIdsAsync("qr.png", Secrets.NewId, ticketId => system.A.GetAsync($"/api/tickets/{ticketId}/qr.png"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invented_ids_on_the_branding_assets_cost_no_activation_beyond_the_address_permits_and_are_refused_with_429()
    {
        var tenant = await system.CreateTenantAsync();
        const string hash = "0123456789abcdef"; // a well-formed logo name (16 base64url characters)
        await AskInventedIdsAsync("branding stylesheet", InventedName, app => system.A.GetAsync($"/oidc/{tenant.PoolId}/branding/{app}.css"),
            HttpStatusCode.NotFound);
        await AskInventedIdsAsync("branding preview", InventedName, app => system.B.GetAsync($"/oidc/{tenant.PoolId}/branding/{app}/preview"),
            HttpStatusCode.NotFound);
        await AskInventedIdsAsync("pool branding logo", InventedName, pool => system.A.GetAsync($"/oidc/{pool}/branding/logo/{hash}.png"),
            HttpStatusCode.NotFound);
    }

    /// <summary>A hosted login's page, or its page's own call (renew, the binding offer), for <paramref name="requestId"/>, with a browser cookie for it.</summary>
    private static Task<HttpResponseMessage> AskLoginAsync(HttpClient client, string poolId, string requestId, string? call = null)
    {
        var request = new HttpRequestMessage(call == "renew" ? HttpMethod.Post : HttpMethod.Get, $"/oidc/{poolId}/login/{requestId}{(call is null ? "" : "/" + call)}");
        request.Headers.Add("Cookie", $"scanlogin_login_{requestId}={Secrets.NewSecret()}");
        if (call is not null) request.Headers.Add("X-Requested-With", "scanlogin");
        return client.SendAsync(request);
    }

    [Fact]
    public async Task Invented_request_ids_on_the_hosted_login_page_are_counted_per_address_and_refused_past_its_permits()
    {
        var tenant = await system.CreateTenantAsync();
        await AskInventedIdsAsync("hosted login page", Secrets.NewId, requestId => AskLoginAsync(system.A, tenant.PoolId, requestId),
            HttpStatusCode.NotFound);
        await AskInventedIdsAsync("hosted login renew", Secrets.NewId, requestId => AskLoginAsync(system.B, tenant.PoolId, requestId, "renew"),
            HttpStatusCode.NotFound);
        await AskInventedIdsAsync("hosted login binding", Secrets.NewId, requestId => AskLoginAsync(system.A, tenant.PoolId, requestId, "binding"),
            HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_invented_request_id_asked_again_on_the_hosted_login_is_answered_from_memory_without_spending_permits()
    {
        var tenant = await system.CreateTenantAsync();
        system.LimiterTime.Advance(TimeSpan.FromMinutes(5));
        var invented = Secrets.NewId();
        // Far more than the address's unknown-id permits (20 at once): an id each front end already heard of spends none.
        for (var i = 0; i < 2 * Permits; i++)
        {
            var response = await AskLoginAsync(i % 2 == 0 ? system.A : system.B, tenant.PoolId, invented, (i % 6) switch { 1 => "renew", 3 => "binding", _ => null });
            Assert.True(response.StatusCode == HttpStatusCode.NotFound,
                $"ask {i + 1} for {invented} answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        system.LimiterTime.Advance(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task An_invented_ticket_id_asked_again_for_its_wechat_link_is_answered_from_memory_without_spending_link_permits()
    {
        system.LimiterTime.Advance(TimeSpan.FromMinutes(5));
        var invented = Secrets.NewId();
        // Far more than the address's WeChat links (3 at once on this cluster): an id known not to exist spends none of them.
        for (var i = 0; i < 30; i++)
            await Api.ProblemAsync(await (i % 2 == 0 ? system.A : system.B).GetAsync($"/api/tickets/{invented}/open-in-wechat"),
                HttpStatusCode.NotFound, "ticket_not_found");
        // The first ask spent one of this address's links, which this cluster refills once every 100 minutes: give it back.
        system.LimiterTime.Advance(TimeSpan.FromHours(6));
    }
}
