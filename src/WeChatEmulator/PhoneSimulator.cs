using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScanLogin.WeChatEmulator;

/// <summary>Where the simulated mini program sends its calls: ScanLogin's front end ("Emulator:ScanLoginBaseAddress").</summary>
public sealed class PhoneSimulatorTarget(Uri baseAddress)
{
    /// <summary>Settable so a test can point the emulator at a front end that started after it.</summary>
    public Uri BaseAddress { get; set; } = baseAddress;
}

/// <summary>
/// The phone simulator (a dev tool): a page at /__emulator/phone that plays the mini program. It reads a ticket from a pasted
/// link or a QR picture, gets a wx.login code for the chosen emulator user and calls ScanLogin's mini-program API the way
/// the real mini program would, from the server side, so ScanLogin needs no CORS for it.
/// </summary>
public static class PhoneSimulator
{
    public sealed record ScanBody(string? Ticket, string? AppId, string? OpenId, string? Nickname, string? AvatarUrl);
    public sealed record ConfirmBody(string? Ticket, string? ScanToken, string? AppId, string? OpenId, bool SharePhone);
    public sealed record CancelBody(string? Ticket, string? ScanToken);

    public static IEndpointRouteBuilder MapPhoneSimulator(this IEndpointRouteBuilder app)
    {
        app.MapGet("/__emulator/phone", () => Results.Redirect("/__emulator/phone/index.html"));
        var dev = app.MapGroup("/__emulator");
        dev.MapGet("/mini-programs", (EmulatorState state) => Results.Json(new { appIds = state.AppIds }));
        dev.MapGet("/users", (EmulatorState state, string appId) => Results.Json(new { users = state.UsersOf(appId) }));

        var phone = dev.MapGroup("/phone");
        phone.MapPost("/scan", async (ScanBody body, EmulatorState state, PhoneSimulatorTarget target, IHttpClientFactory http) =>
        {
            if (TicketIdOf(body.Ticket) is not { } ticketId) return Problem(400, "paste a ticket id or the QR code's link");
            if (body.AppId is not { } appId || body.OpenId is not { } openId || state.FindUser(appId, openId) is not { } user)
                return Problem(404, "pick an emulator user of this mini program");
            var loginCode = state.IssueCode(CodeKind.Login, user);
            return await ForwardAsync(http, target, $"api/mini-program/tickets/{ticketId}/scan",
                new { loginCode, nickname = body.Nickname ?? user.Nickname, avatarUrl = body.AvatarUrl });
        });
        phone.MapPost("/confirm", async (ConfirmBody body, EmulatorState state, PhoneSimulatorTarget target, IHttpClientFactory http) =>
        {
            if (TicketIdOf(body.Ticket) is not { } ticketId || body.ScanToken is not { Length: > 0 }) return Problem(400, "scan the ticket first");
            string? phoneCode = null;
            if (body.SharePhone)
            {
                if (body.AppId is not { } appId || body.OpenId is not { } openId || state.FindUser(appId, openId) is not { } user)
                    return Problem(404, "pick an emulator user of this mini program");
                phoneCode = state.IssueCode(CodeKind.Phone, user);
            }
            return await ForwardAsync(http, target, $"api/mini-program/tickets/{ticketId}/confirm", new { scanToken = body.ScanToken, phoneCode });
        });
        phone.MapPost("/cancel", async (CancelBody body, PhoneSimulatorTarget target, IHttpClientFactory http) =>
        {
            if (TicketIdOf(body.Ticket) is not { } ticketId || body.ScanToken is not { Length: > 0 }) return Problem(400, "scan the ticket first");
            return await ForwardAsync(http, target, $"api/mini-program/tickets/{ticketId}/cancel", new { scanToken = body.ScanToken });
        });
        phone.MapPost("/decode", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            if (buffer.Length is 0 or > 4 * 1024 * 1024) return Problem(400, "send a PNG or JPEG picture of the code (at most 4 MB)");
            var text = await DecodeAsync(buffer.ToArray());
            return text is null ? Problem(422, "no QR code found in the picture (zbarimg, from zbar-tools, reads it)")
                : Results.Json(new { text, ticketId = TicketIdOf(text) });
        }).DisableAntiforgery();
        return app;
    }

    /// <summary>A bare ticket id, or the last path segment of the link a default-mini-program code carries.</summary>
    public static string? TicketIdOf(string? value)
    {
        var candidate = value?.Trim() ?? "";
        if (Uri.TryCreate(candidate, UriKind.Absolute, out var uri)) candidate = uri.AbsolutePath.TrimEnd('/').Split('/')[^1];
        return candidate.Length == 22 && candidate.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? candidate : null;
    }

    private static async Task<IResult> ForwardAsync(IHttpClientFactory factory, PhoneSimulatorTarget target, string path, object body)
    {
        using var client = factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(15);
        try
        {
            using var response = await client.PostAsJsonAsync(new Uri(target.BaseAddress, path), body);
            var json = await response.Content.ReadAsStringAsync();
            var node = json.Length > 0 ? JsonNode.Parse(json) : null;
            return Results.Json(node, statusCode: (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return Problem(502, $"ScanLogin at {target.BaseAddress} did not answer: {e.Message}");
        }
    }

    private static async Task<string?> DecodeAsync(byte[] image)
    {
        var file = Path.Combine(Path.GetTempPath(), $"phone-simulator-{Guid.NewGuid():N}.img");
        await File.WriteAllBytesAsync(file, image);
        try
        {
            using var zbar = Process.Start(new ProcessStartInfo("zbarimg", ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (zbar is null) return null;
            var output = await zbar.StandardOutput.ReadToEndAsync();
            await zbar.WaitForExitAsync();
            return zbar.ExitCode == 0 && output.Trim() is { Length: > 0 } text ? text.Split('\n')[0] : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IResult Problem(int status, string message) => Results.Json(new { error = "invalid", message }, statusCode: status);
}
