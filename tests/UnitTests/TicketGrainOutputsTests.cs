using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Observability;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// What the ticket grain hands out besides statuses: the image in the format asked for, the reason a login was refused,
/// the tokens' auth_time, and the move counters operators watch.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketGrainOutputsTests(GrainClusterFixture fixture)
{
    private readonly TicketDriver _driver = new(fixture);

    [Fact]
    public async Task An_svg_is_an_svg_and_the_etag_is_a_quoted_http_entity_tag()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await _driver.OpenAsync(appId);
        var svg = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 200))).Value!;
        Assert.StartsWith("<svg", Encoding.UTF8.GetString(svg.Content).TrimStart());
        var png = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 200))).Value!;
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Content[..4]);
        Assert.Matches("^\"[A-Za-z0-9_-]{22}\"$", svg.ETag);
        Assert.Matches("^\"[A-Za-z0-9_-]{22}\"$", png.ETag);
    }

    [Fact]
    public async Task Each_picture_asked_for_is_rendered_once_while_the_page_switches_between_them()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await _driver.OpenAsync(appId);
        var png = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 240))).Value!;
        var svg = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 240))).Value!;
        var large = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 480))).Value!;
        Assert.Equal(png.RenderedAt, (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 240))).Value!.RenderedAt);
        Assert.Equal(svg.RenderedAt, (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 240))).Value!.RenderedAt);
        Assert.Equal(large.RenderedAt, (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 480))).Value!.RenderedAt);
    }

    [Fact]
    public async Task An_image_of_a_ticket_whose_application_is_gone_allows_no_origin()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await _driver.OpenAsync(appId);
        await fixture.Grains.GetGrain<IApplicationGrain>(appId).DeleteAsync(null, Actor.Platform);
        var image = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 200))).Value!;
        Assert.NotNull(image.AllowedOrigins);
        Assert.Empty(image.AllowedOrigins);
    }

    [Fact]
    public async Task A_login_of_a_blocked_user_is_rejected_with_the_pools_reason()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var openId = await fixture.Emulator.CreateUserAsync(phone: null);
        var user = await _driver.LoginAsync(appId, openId);
        await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).SetUserBlockedAsync(user.Id, true, Actor.Platform);

        var ticket = await _driver.OpenAsync(appId);
        var refused = (await _driver.ScanAndConfirmAsync(ticket, openId)).Value!;
        Assert.Equal((TicketStatus.Rejected, FailureCodes.UserBlocked), (refused.Status, refused.Reason));
        Assert.Null(refused.ExchangeCode);
    }

    [Fact]
    public async Task The_tokens_auth_time_is_when_the_phone_approved_not_when_the_code_was_exchanged()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await _driver.OpenAsync(appId);
        var approvedAt = fixture.Time.GetUtcNow();
        var code = (await _driver.ScanAndConfirmAsync(ticket, await fixture.Emulator.CreateUserAsync(phone: null))).Value!.ExchangeCode!;
        fixture.Time.Advance(TimeSpan.FromSeconds(90));

        var grant = (await ticket.ExchangeAsync(new ExchangeRequest(code, TicketDriver.BrowserSecret, null, null))).Value!;
        var payload = grant.IdToken.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var claims = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '='))).RootElement;
        Assert.Equal(approvedAt.ToUnixTimeSeconds(), claims.GetProperty("auth_time").GetInt64());
    }

    [Fact]
    public async Task Each_move_of_a_login_is_counted_once_by_what_it_became()
    {
        var counted = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TicketMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "event") lock (counted) counted.Add($"{tag.Value}:{value}");
        });
        listener.Start();

        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await _driver.OpenAsync(appId);
        var token = await _driver.ScanAsync(ticket, await fixture.Emulator.CreateUserAsync(phone: null));
        var code = (await ticket.ConfirmAsync(new ConfirmRequest(token, null))).Value!.ExchangeCode!;
        await ticket.ConfirmAsync(new ConfirmRequest(token, null)); // a retry moves nothing
        await ticket.ExchangeAsync(new ExchangeRequest(code, TicketDriver.BrowserSecret, null, null));
        listener.Dispose();

        // Other tests' tickets may expire meanwhile (the clock is shared); this login's moves are counted exactly once each.
        lock (counted)
        {
            Assert.Equal(1, counted.Count(c => c == "scanned:1"));
            Assert.Equal(1, counted.Count(c => c == "confirmed:1"));
            Assert.Equal(1, counted.Count(c => c == "exchanged:1"));
        }
    }
}
