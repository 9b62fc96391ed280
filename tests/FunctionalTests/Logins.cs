using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Xunit;

namespace ScanLogin.FunctionalTests;

public sealed record BindingOfferView(TicketView Ticket, bool SignIn, bool Register, bool PhoneShared, int AttemptsLeft);

/// <summary>Whole logins and the ask-binding calls, over HTTP, as the phone and the PC page make them.</summary>
public static class Logins
{
    /// <summary>Creates a ticket, scans it as <paramref name="openId"/> and confirms (sharing the phone if asked).</summary>
    public static async Task<(TicketCreated Ticket, HttpResponseMessage Confirm)> ScanAndConfirmAsync(SystemFixture system, Tenant tenant, string openId,
        bool sharePhone = false)
    {
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await system.Emulator.LoginCodeAsync(openId));
        var confirm = await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken, sharePhone ? await system.Emulator.PhoneCodeAsync(openId) : null);
        await RememberBindingCodeAsync(created.TicketId, confirm);
        return (created, confirm);
    }

    // The code each phone was shown, read from its confirm answer, as the person at the PC reads it off the phone.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> BindingCodes = new();

    /// <summary>Keeps the binding code a confirm answer carries (a ticket waiting for binding), for the PC's binding calls.</summary>
    public static async Task RememberBindingCodeAsync(string ticketId, HttpResponseMessage confirm)
    {
        if (!confirm.IsSuccessStatusCode) return;
        var body = System.Text.Json.JsonDocument.Parse(await confirm.Content.ReadAsStringAsync()).RootElement;
        if (body.TryGetProperty("bindingCode", out var code) && code.GetString() is { } value) BindingCodes[ticketId] = value;
    }

    /// <summary>The code the phone that confirmed this ticket was shown.</summary>
    public static string BindingCodeOf(string ticketId) =>
        BindingCodes.TryGetValue(ticketId, out var code) ? code : throw new InvalidOperationException($"No confirm answer of ticket {ticketId} carried a binding code.");

    /// <summary>A whole login that must succeed: the user the browser gets.</summary>
    public static async Task<UserView> LoginAsync(SystemFixture system, Tenant tenant, string openId, bool sharePhone = false)
    {
        var (created, confirm) = await ScanAndConfirmAsync(system, tenant, openId, sharePhone);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        return await ExchangeAsync(system, created);
    }

    public static async Task<UserView> ExchangeAsync(SystemFixture system, TicketCreated created) => (await ExchangeFullAsync(system, created)).User;

    public static async Task<ExchangeResponse> ExchangeFullAsync(SystemFixture system, TicketCreated created)
    {
        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal("confirmed", status.Status);
        var exchange = await Api.ExchangeAsync(system.A, status.ExchangeCode!, created.BrowserSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        return (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!;
    }

    public static Task<HttpResponseMessage> OfferAsync(HttpClient http, TicketCreated created) =>
        http.SendAsync(WithSecret(new HttpRequestMessage(HttpMethod.Get, $"/api/tickets/{created.TicketId}/binding"), created.BrowserSecret));

    public static Task<HttpResponseMessage> BindExistingAsync(HttpClient http, TicketCreated created, string account, string password, string? secret = null,
        string? bindingCode = null) =>
        http.SendAsync(WithSecret(new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{created.TicketId}/binding/existing")
            { Content = JsonContent.Create(new { account, password, bindingCode = bindingCode ?? BindingCodeOf(created.TicketId) }) }, secret ?? created.BrowserSecret));

    /// <summary>Creates an account; the body must carry the binding code (<see cref="BindingCodeOf"/>).</summary>
    public static Task<HttpResponseMessage> BindNewAsync(HttpClient http, TicketCreated created, object body) =>
        http.SendAsync(WithSecret(new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/{created.TicketId}/binding/new")
            { Content = JsonContent.Create(body) }, created.BrowserSecret));

    public static HttpRequestMessage WithApp(HttpRequestMessage request, Tenant tenant)
    {
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant.AppId}:{tenant.AppSecret}")));
        return request;
    }

    private static HttpRequestMessage WithSecret(HttpRequestMessage request, string secret)
    {
        request.Headers.Add("X-Browser-Secret", secret);
        return request;
    }

    /// <summary>One number from PostgreSQL.</summary>
    public static async Task<long> CountAsync(SystemFixture system, string sql, params object[] values)
    {
        await using var command = system.Database.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
