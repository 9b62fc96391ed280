using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>Plays the parts around the browser: builds authorization requests, reads the QR from the page, plays the phone.</summary>
public sealed class LoginDriver(BrowserFixture fixture)
{
    /// <summary>An authorization request as a client builds it, with a fresh state, nonce and PKCE pair.</summary>
    public sealed record Request(string Url, string State, string Nonce, string Verifier);

    public Request Authorize(string? redirectUri = null, string? identitySource = null, string? display = null, string? uiLocales = null,
        string scope = "openid profile phone")
    {
        var state = Random();
        var nonce = Random();
        var verifier = Random() + Random();
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = fixture.Tenant.AppId, ["redirect_uri"] = redirectUri ?? fixture.PopupCallback,
            ["scope"] = scope, ["state"] = state, ["nonce"] = nonce,
            ["code_challenge"] = Challenge(verifier), ["code_challenge_method"] = "S256",
        };
        if (identitySource is not null) query["identity_source"] = identitySource;
        if (display is not null) query["display"] = display;
        if (uiLocales is not null) query["ui_locales"] = uiLocales;
        return new Request(QueryHelpers.AddQueryString(fixture.Issuer + "/authorize", query), state, nonce, verifier);
    }

    /// <summary>Reads the ticket from the QR picture as the page shows it (an element screenshot, decoded by zbarimg).</summary>
    public static async Task<string> ReadTicketAsync(IPage page)
    {
        var ticketId = (await ReadQrAsync(page)).Split('/')[^1];
        Assert.Equal(22, ticketId.Length);
        return ticketId;
    }

    /// <summary>What the QR picture on the page encodes, as a phone camera would read it.</summary>
    public static async Task<string> ReadQrAsync(IPage page)
    {
        await PageTrace.WaitAsync(page, "the QR picture loaded", () =>
            page.WaitForFunctionAsync("() => { const i = document.getElementById('qr'); return i && i.complete && i.naturalWidth > 0; }",
                null, new PageWaitForFunctionOptions { Timeout = BrowserFixture.WaitTimeout }));
        return QrDecoder.Decode(await page.Locator("#qr").ScreenshotAsync());
    }

    /// <summary>The phone, over HTTP: a new emulator user scans; answers the scan token.</summary>
    public async Task<(string OpenId, string ScanToken)> ScanAsync(string ticketId, string nickname = "Mei", string? openId = null)
    {
        var emulator = fixture.System.Emulator;
        openId ??= await emulator.CreateUserAsync(phone: "139" + System.Random.Shared.Next(10000000, 99999999), nickname: nickname);
        var response = await Api.ScanAsync(fixture.System.B, ticketId, await emulator.LoginCodeAsync(openId), nickname);
        response.EnsureSuccessStatusCode();
        return (openId, (await response.Content.ReadFromJsonAsync<ScanResponse>())!.ScanToken);
    }

    public async Task<string> ScanAndConfirmAsync(string ticketId, string nickname = "Mei", string? openId = null)
    {
        var (user, token) = await ScanAsync(ticketId, nickname, openId);
        var confirmed = await Api.ConfirmAsync(fixture.System.B, ticketId, token, await fixture.System.Emulator.PhoneCodeAsync(user));
        confirmed.EnsureSuccessStatusCode();
        return user;
    }

    /// <summary>Scans and confirms for a ticket that will wait for binding: answers the code the phone was shown.</summary>
    public async Task<string> ScanAndConfirmForBindingAsync(string ticketId, string nickname = "Mei")
    {
        var (user, token) = await ScanAsync(ticketId, nickname);
        var confirmed = await Api.ConfirmAsync(fixture.System.B, ticketId, token, await fixture.System.Emulator.PhoneCodeAsync(user));
        confirmed.EnsureSuccessStatusCode();
        var answer = (await confirmed.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>());
        Assert.Equal("binding_required", answer.GetProperty("status").GetString());
        return answer.GetProperty("bindingCode").GetString()!;
    }

    public async Task CancelAsync(string ticketId, string scanToken) =>
        (await fixture.System.B.PostAsJsonAsync($"/api/mini-program/tickets/{ticketId}/cancel", new { scanToken })).EnsureSuccessStatusCode();

    /// <summary>Waits for the browser to arrive at the client's callback (the sample site's /popup/callback page) and answers that URL.</summary>
    public async Task<Uri> WaitForCallbackAsync(IPage page)
    {
        // Polls the page's committed URL rather than waiting for a navigation event: a navigation that commits while the wait is
        // being set up was seen to be missed (the page sat on the callback while the wait timed out).
        await PageTrace.WaitAsync(page, $"the callback {fixture.PopupCallback}", async () =>
        {
            var deadline = Stopwatch.StartNew();
            while (!page.Url.StartsWith(fixture.PopupCallback, StringComparison.Ordinal))
            {
                if (deadline.Elapsed > TimeSpan.FromMilliseconds(BrowserFixture.WaitTimeout))
                    throw new System.TimeoutException($"Timeout {BrowserFixture.WaitTimeout}ms exceeded.");
                await Task.Delay(50);
            }
        });
        return new Uri(page.Url);
    }

    public static Task WaitForStateAsync(IPage page, string state) =>
        PageTrace.WaitAsync(page, $"the login page in state '{state}'", () =>
            page.Locator($"#login[data-state='{state}']").WaitForAsync(new LocatorWaitForOptions { Timeout = BrowserFixture.WaitTimeout }));

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string Random() => Base64Url(RandomNumberGenerator.GetBytes(24));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
