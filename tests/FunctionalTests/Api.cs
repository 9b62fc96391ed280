using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>The wire shapes, read back loosely as the clients would.</summary>
public sealed record TicketView(string TicketId, string Status, int Version, DateTimeOffset? ExpiresAt, string? ExchangeCode, string? Reason);
public sealed record TicketCreated(string TicketId, string BrowserSecret, string Scene, string QrImageUrl, TicketView Ticket);
public sealed record ScanResponse(TicketView Ticket, string ScanToken, string AppName, string? RequesterIp, string? RequesterUserAgent);
public sealed record UserView(string Id, string PoolId, string? Nickname, string? Phone);
public sealed record ExchangeResponse(UserView User, string AccessToken, string TokenType, DateTimeOffset ExpiresAt, string IdToken);
public sealed record Problem(string? Title, int Status, string? Detail, string Code);

/// <summary>Plays the browser and the phone over HTTP.</summary>
public static class Api
{
    /// <summary>Creates a ticket as the application's backend: no browser Origin, so it authenticates with the app secret.</summary>
    public static async Task<TicketCreated> CreateTicketAsync(HttpClient http, Tenant tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = tenant.AppId, identitySource = Tenant.Source }) };
        request.Headers.Authorization = AppCredentials(tenant.AppId, tenant.AppSecret);
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TicketCreated>())!;
    }

    /// <summary>A ticket's status as a plain read on <paramref name="http"/> shows it now, for a wait that timed out to report.</summary>
    public static async Task<string> StatusNowAsync(HttpClient http, string ticketId)
    {
        var response = await http.GetAsync($"/api/tickets/{ticketId}");
        return $"GET /api/tickets/{ticketId} on {http.BaseAddress} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
    }

    public static async Task<TicketView> StatusAsync(HttpClient http, string ticketId) =>
        (await http.GetFromJsonAsync<TicketView>($"/api/tickets/{ticketId}"))!;

    /// <summary>
    /// The status once its version passes <paramref name="afterVersion"/>, by long-poll: how a page on one front end
    /// hears a move another front end served (a plain read there may answer from memory until the push arrives).
    /// </summary>
    public static async Task<TicketView> StatusAfterAsync(HttpClient http, string ticketId, int afterVersion) =>
        (await http.GetFromJsonAsync<TicketView>($"/api/tickets/{ticketId}/wait?version={afterVersion}&timeout=10"))!;

    public static Task<HttpResponseMessage> ScanAsync(HttpClient http, string ticketId, string loginCode, string? nickname = "Mei") =>
        http.PostAsJsonAsync($"/api/mini-program/tickets/{ticketId}/scan", new { loginCode, nickname });

    public static async Task<ScanResponse> ScanOkAsync(HttpClient http, string ticketId, string loginCode)
    {
        var response = await ScanAsync(http, ticketId, loginCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ScanResponse>())!;
    }

    public static Task<HttpResponseMessage> ConfirmAsync(HttpClient http, string ticketId, string scanToken, string? phoneCode = null) =>
        http.PostAsJsonAsync($"/api/mini-program/tickets/{ticketId}/confirm", new { scanToken, phoneCode });

    public static Task<HttpResponseMessage> ExchangeAsync(HttpClient http, string code, string browserSecret, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/exchange") { Content = JsonContent.Create(new { code }) };
        request.Headers.Add("X-Browser-Secret", browserSecret);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }

    /// <summary>The application's backend exchanges with its credentials (HTTP Basic) instead of the browser secret.</summary>
    public static Task<HttpResponseMessage> BackendExchangeAsync(HttpClient http, string code, string appId, string appSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/exchange") { Content = JsonContent.Create(new { code }) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{appId}:{appSecret}")));
        return http.SendAsync(request);
    }

    /// <summary>Verifies an access token as a site trusting the pool would (its JWKS, audience = the app); answers its subject.</summary>
    public static async Task<string> VerifiedSubjectAsync(HttpClient http, string poolId, string appId, string accessToken)
    {
        var site = new RelyingParty(http, poolId);
        var verified = await site.ValidateAccessTokenAsync(accessToken, await site.JwksAsync(), appId);
        Assert.True(verified.IsValid, verified.Exception?.Message);
        return ((Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)verified.SecurityToken).Subject;
    }

    public static System.Net.Http.Headers.AuthenticationHeaderValue AppCredentials(string appId, string appSecret) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{appId}:{appSecret}")));

    /// <summary>Asserts the one JSON error shape and returns it.</summary>
    public static async Task<Problem> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<Problem>(await response.Content.ReadAsStringAsync(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal((int)status, problem.Status);
        Assert.Equal(code, problem.Code);
        return problem;
    }
}
