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
    public async Task A_picture_is_served_from_the_cache_while_time_passes_and_a_fifth_kind_drops_none_of_the_four_kept()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await _driver.OpenAsync(appId);
        QrImageRequest[] kinds = [new(QrFormat.Png, 240), new(QrFormat.Svg, 240), new(QrFormat.Png, 512), new(QrFormat.Svg, 512)];
        var first = new List<QrImage>();
        foreach (var kind in kinds)
        {
            first.Add((await ticket.GetImageAsync(kind)).Value!);
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(4, first.Select(i => i.RenderedAt).Distinct().Count());

        // Asked again later, each of the four kept pictures is the one rendered before, not a new rendering.
        foreach (var (kind, image) in kinds.Zip(first))
            Assert.Equal((image.RenderedAt, image.ETag), ((await ticket.GetImageAsync(kind)).Value!.RenderedAt, (await ticket.GetImageAsync(kind)).Value!.ETag));

        // Sizes come in a few steps, so a ticket keeps every picture it drew: a fifth kind is drawn, the first is not drawn again.
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var fifth = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 160))).Value!;
        Assert.Equal(fixture.Time.GetUtcNow(), fifth.RenderedAt);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var again = (await ticket.GetImageAsync(kinds[0])).Value!;
        Assert.Equal((first[0].RenderedAt, first[0].ETag), (again.RenderedAt, again.ETag));
    }

    [Fact]
    public async Task The_size_range_is_inclusive_and_each_format_has_its_content_type()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var ticket = await _driver.OpenAsync(appId);
        var smallest = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 160))).Value!;
        var largest = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 1280))).Value!;
        Assert.Equal("image/png", smallest.ContentType);
        Assert.Equal("image/svg+xml", largest.ContentType);
        Assert.Equal(FailureCodes.ImageSizeInvalid, (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 159))).Failure?.Code);
        Assert.Equal(FailureCodes.ImageSizeInvalid, (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Png, 1281))).Failure?.Code);
        Assert.Equal(FailureCodes.TicketNotFound,
            (await fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId()).GetImageAsync(new QrImageRequest(QrFormat.Png, 200))).Failure?.Code);
    }

    [Fact]
    public async Task A_picture_that_failed_is_rendered_again_at_the_next_request()
    {
        // A privately deployed source whose mini program secret is wrong: WeChat refuses its codes.
        var miniProgram = "wx" + Guid.NewGuid().ToString("N")[..16];
        await fixture.Emulator.RegisterMiniProgramAsync(miniProgram, "private-secret");
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var source = fixture.Grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(poolId, "wechat"));
        var settings = (await source.GetAsync())!;
        await source.SaveAsync(settings with { PrivateDeployment = true, MiniProgramAppId = miniProgram }, "wrong-secret");
        var ticket = fixture.Grains.GetGrain<ITicketGrain>(Secrets.NewId());
        Assert.True((await ticket.OpenAsync(new TicketOpening(appId, "wechat", new Requester(null, null, null), "h", new AppCredentials(appId, "app-secret")))).Succeeded);

        var request = new QrImageRequest(QrFormat.Png, 400);
        var failed = await ticket.GetImageAsync(request);
        Assert.False(failed.Succeeded);

        // The operator fixes the secret: the same picture is asked for again and now rendered, not the failure kept.
        await source.SaveAsync((await source.GetAsync())!, "private-secret");
        var image = await ticket.GetImageAsync(request);
        Assert.True(image.Succeeded, image.Failure?.Code);
        Assert.Equal("image/png", image.Value!.ContentType);
        Assert.Contains(ticket.GetPrimaryKeyString(), await fixture.Emulator.ScenesAsync(miniProgram));
        // The WeChat code asked for as SVG is an SVG too.
        var svg = (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 400))).Value!;
        Assert.Equal("image/svg+xml", svg.ContentType);
        Assert.StartsWith("<svg", Encoding.UTF8.GetString(svg.Content).TrimStart());
    }

    [Fact]
    public async Task An_image_allows_the_origins_of_the_tickets_application()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var app = fixture.Grains.GetGrain<IApplicationGrain>(appId);
        await app.SaveAsync((await app.GetAsync())! with { AllowedOrigins = ["https://site.example"] }, null);
        var ticket = await _driver.OpenAsync(appId);
        Assert.Equal(["https://site.example"], (await ticket.GetImageAsync(new QrImageRequest(QrFormat.Svg, 200))).Value!.AllowedOrigins);
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
