using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using SkiaSharp;
using Xunit;

namespace ScanLogin.FunctionalTests.QrCodes;

/// <summary>What the PC user sees: every served code decodes, carries the logo, and caches and crosses origins properly.</summary>
[Collection(SystemCollection.Name)]
public sealed class QrImageHttpTests(SystemFixture system)
{
    private const string Site = "https://shop.example.com";

    private async Task<(Tenant Tenant, TicketCreated Ticket)> TicketWithLogoAsync()
    {
        var tenant = await system.CreateTenantAsync(allowedOrigins: [Site]);
        await system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, Tenant.Source)).SetLogoAsync(TestLogos.Png());
        return (tenant, await Api.CreateTicketAsync(system.A, tenant));
    }

    [Theory]
    [InlineData(160)]
    [InlineData(240)]
    [InlineData(512)]
    [InlineData(1280)]
    public async Task The_png_decodes_to_the_ticket_link_at_every_size(int size)
    {
        var (_, ticket) = await TicketWithLogoAsync();
        var response = await system.B.GetAsync($"/api/tickets/{ticket.TicketId}/qr.png?size={size}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("https://mp.scanlogin.example/s/" + ticket.TicketId, QrDecoder.Decode(png));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((size, size), (bitmap.Width, bitmap.Height));
        var centre = bitmap.GetPixel(size / 2, size / 2);
        Assert.False(centre.Red == centre.Green && centre.Green == centre.Blue, "no logo in the centre");
    }

    [Fact]
    public async Task The_created_ticket_links_to_its_image()
    {
        var (_, ticket) = await TicketWithLogoAsync();
        Assert.Equal($"/api/tickets/{ticket.TicketId}/qr.png", ticket.QrImageUrl);
        var response = await system.A.GetAsync(ticket.QrImageUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://mp.scanlogin.example/s/" + ticket.TicketId, QrDecoder.Decode(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(ticket.TicketId, ticket.Scene);
    }

    [Fact]
    public async Task Etag_and_cache_headers_let_a_browser_revalidate_for_free()
    {
        var (_, ticket) = await TicketWithLogoAsync();
        var first = await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/qr.png");
        var etag = first.Headers.ETag!;
        Assert.True(first.Headers.CacheControl!.Private);
        // The deadline is on the silos' fake ticket clock, which other tests moved ahead of the front end's real one: the
        // picture is still kept no longer than the ticket's own lifetime.
        Assert.InRange(first.Headers.CacheControl.MaxAge!.Value.TotalSeconds, 1, 120);

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tickets/{ticket.TicketId}/qr.png");
        request.Headers.IfNoneMatch.Add(etag);
        var revalidated = await system.B.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Cors_allows_the_applications_origins_only()
    {
        var (_, ticket) = await TicketWithLogoAsync();
        async Task<string?> AllowedFor(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tickets/{ticket.TicketId}/qr.png");
            request.Headers.Add("Origin", origin);
            var response = await system.A.SendAsync(request);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }
        Assert.Equal(Site, await AllowedFor(Site));
        Assert.Null(await AllowedFor("https://evil.example.com"));
    }

    [Fact]
    public async Task Svg_and_data_url_forms_are_served()
    {
        var (_, ticket) = await TicketWithLogoAsync();
        var svg = await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/qr.svg?size=300");
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", await svg.Content.ReadAsStringAsync());

        var data = await system.A.GetFromJsonAsync<DataUrl>($"/api/tickets/{ticket.TicketId}/qr?format=png&size=200");
        Assert.StartsWith("data:image/png;base64,", data!.Url);
        var png = Convert.FromBase64String(data.Url["data:image/png;base64,".Length..]);
        Assert.Equal("https://mp.scanlogin.example/s/" + ticket.TicketId, QrDecoder.Decode(png));
    }

    [Fact]
    public async Task Bad_image_requests_are_4xx_with_the_error_shape()
    {
        var (_, ticket) = await TicketWithLogoAsync();
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/qr.png?size=100"), HttpStatusCode.BadRequest, "image_size_invalid");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/qr.png?size=5000"), HttpStatusCode.BadRequest, "image_size_invalid");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/qr.png?size=big"), HttpStatusCode.BadRequest, "malformed_request");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/qr?format=gif"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{Secrets.NewId()}/qr.png"), HttpStatusCode.NotFound, "ticket_not_found");
        await Api.ProblemAsync(await system.A.GetAsync("/api/tickets/nope/qr.svg"), HttpStatusCode.BadRequest, "malformed_ticket_id");
    }

    [Fact]
    public async Task A_private_deployment_logs_in_end_to_end_with_its_own_mini_program()
    {
        var miniProgram = "wx" + Guid.NewGuid().ToString("N")[..16];
        await system.Emulator.RegisterMiniProgramAsync(miniProgram, "own-secret");
        var tenant = await system.CreateTenantAsync();
        var source = system.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(tenant.PoolId, Tenant.Source));
        await source.SaveAsync((await source.GetAsync())! with { PrivateDeployment = true, MiniProgramAppId = miniProgram }, "own-secret");
        await source.SetLogoAsync(TestLogos.Jpeg());

        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var png = await system.B.GetByteArrayAsync(ticket.QrImageUrl + "?size=320");
        Assert.Contains(ticket.TicketId, await system.Emulator.ScenesAsync(miniProgram)); // a real mini-program code, scene = ticket id
        using (var served = SKBitmap.Decode(png))
        {
            Assert.Equal((320, 320), (served.Width, served.Height));
            // Read the picture back: around the logo it is WeChat's code for this ticket's scene, not for any other.
            using var own = await WeChatCodeAsync(miniProgram, "own-secret", ticket.TicketId, 320);
            using var foreign = await WeChatCodeAsync(miniProgram, "own-secret", Secrets.NewId(), 320);
            var toOwn = RingDifference(served, own);
            var toForeign = RingDifference(served, foreign);
            Assert.True(toOwn < 20 && toForeign > 3 * toOwn, $"mean difference {toOwn:F1} to its own code, {toForeign:F1} to another");
            var centre = served.GetPixel(160, 160);
            Assert.False(centre.Red == centre.Green && centre.Green == centre.Blue, "no logo in the centre");
        }

        var openId = await system.Emulator.CreateUserAsync(phone: null, appId: miniProgram);
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId, miniProgram));
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.A, ticket.TicketId, scan.ScanToken)).StatusCode);
        var code = (await Api.StatusAsync(system.A, ticket.TicketId)).ExchangeCode!;
        Assert.Equal(HttpStatusCode.OK, (await Api.ExchangeAsync(system.A, code, ticket.BrowserSecret)).StatusCode);
    }

    /// <summary>Asks the emulated WeChat directly for the mini-program code of a scene, as the server would.</summary>
    private async Task<SKBitmap> WeChatCodeAsync(string appId, string secret, string scene, int width)
    {
        var token = await system.Emulator.Http.PostAsJsonAsync("cgi-bin/stable_token", new { grant_type = "client_credential", appid = appId, secret });
        var accessToken = (await token.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("access_token").GetString();
        var code = await system.Emulator.Http.PostAsJsonAsync($"wxa/getwxacodeunlimit?access_token={accessToken}", new { scene, width });
        Assert.Equal("image/png", code.Content.Headers.ContentType?.MediaType);
        using var image = SKBitmap.Decode(await code.Content.ReadAsByteArrayAsync());
        return image.Resize(new SKImageInfo(width, width), new SKSamplingOptions(SKCubicResampler.Mitchell));
    }

    /// <summary>Mean grey-level difference over the code's ring: outside the logo plate, inside the round code.</summary>
    private static double RingDifference(SKBitmap a, SKBitmap b)
    {
        var (sum, count, c) = (0.0, 0, a.Width / 2.0);
        for (var y = 0; y < a.Height; y += 2)
            for (var x = 0; x < a.Width; x += 2)
            {
                var r = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c)) / c;
                if (r < 0.7 || r > 0.9) continue; // the plate covers the middle 44%
                sum += Math.Abs(Grey(a.GetPixel(x, y)) - Grey(b.GetPixel(x, y)));
                count++;
            }
        return sum / count;
    }

    private static double Grey(SKColor p) => (p.Red + p.Green + p.Blue) / 3.0;

    private sealed record DataUrl([property: System.Text.Json.Serialization.JsonPropertyName("dataUrl")] string Url);
}
