using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.QrCodes;
using Xunit;

namespace ScanLogin.UnitTests.QrCodes;

/// <summary>The per-ticket cache of pictures and the open-in-WeChat link (<see cref="TicketImages"/>), without a cluster.</summary>
public sealed class TicketImagesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Failure Down = new(FailureCodes.WeChatUnavailable, "down");

    private sealed class Counter
    {
        public List<QrImageRequest> Drawn { get; } = [];
        public int Links { get; set; }
    }

    private static (TicketImages Images, Counter Counter) Make(Func<int, Outcome<QrImage>>? drawNth = null, Func<int, Outcome<OpenInWeChatLink>>? linkNth = null)
    {
        var counter = new Counter();
        var images = new TicketImages(
            request =>
            {
                counter.Drawn.Add(request);
                return Task.FromResult(drawNth?.Invoke(counter.Drawn.Count) ?? new QrImage([1], "image/png", "\"e\"", null, [], T0, request.Size));
            },
            () => Task.FromResult(linkNth?.Invoke(++counter.Links) ?? new OpenInWeChatLink("weixin://dl/" + counter.Links, T0)));
        return (images, counter);
    }

    [Theory]
    [InlineData(QrRenderer.MinSize - 1)]
    [InlineData(QrRenderer.MaxSize + 1)]
    public async Task A_size_outside_the_renderers_range_is_refused_without_drawing(int size)
    {
        var (images, counter) = Make();
        var refused = await images.GetAsync(new QrImageRequest(QrFormat.Png, size));
        Assert.Equal(FailureCodes.ImageSizeInvalid, refused.Failure?.Code);
        Assert.Empty(counter.Drawn);
    }

    [Fact]
    public async Task Sizes_snap_to_the_drawn_steps_and_each_step_and_format_is_drawn_once()
    {
        var (images, counter) = Make();
        var first = (await images.GetAsync(new QrImageRequest(QrFormat.Png, 301))).Value!;
        Assert.Equal(QrImageSizes.Snap(301), first.Size);
        await images.GetAsync(new QrImageRequest(QrFormat.Png, QrImageSizes.Snap(301)));
        await images.GetAsync(new QrImageRequest(QrFormat.Png, 301));
        Assert.Single(counter.Drawn);
        await images.GetAsync(new QrImageRequest(QrFormat.Svg, 301));
        Assert.Equal(2, counter.Drawn.Count);
        Assert.All(counter.Drawn, drawn => Assert.Equal(QrImageSizes.Snap(301), drawn.Size));
    }

    [Fact]
    public async Task Concurrent_requests_share_one_drawing()
    {
        var gate = new TaskCompletionSource<Outcome<QrImage>>();
        var drawn = 0;
        var images = new TicketImages(_ => { drawn++; return gate.Task; }, () => throw new InvalidOperationException());
        var one = images.GetAsync(new QrImageRequest(QrFormat.Png, 300));
        var two = images.GetAsync(new QrImageRequest(QrFormat.Png, 300));
        gate.SetResult(new QrImage([1], "image/png", "\"e\"", null, [], T0, 300));
        Assert.Same((await one).Value, (await two).Value);
        Assert.Equal(1, drawn);
    }

    [Fact]
    public async Task A_failed_drawing_is_tried_again_and_a_good_one_is_kept()
    {
        var (images, counter) = Make(drawNth: n => n == 1 ? Down : new QrImage([(byte)n], "image/png", "\"e\"", null, [], T0, 300));
        Assert.Equal(FailureCodes.WeChatUnavailable, (await images.GetAsync(new QrImageRequest(QrFormat.Png, 300))).Failure?.Code);
        Assert.Equal(2, (await images.GetAsync(new QrImageRequest(QrFormat.Png, 300))).Value!.Content[0]);
        Assert.Equal(2, (await images.GetAsync(new QrImageRequest(QrFormat.Png, 300))).Value!.Content[0]);
        Assert.Equal(2, counter.Drawn.Count);
    }

    [Fact]
    public async Task The_open_link_is_asked_once_per_ticket_unless_the_attempt_failed()
    {
        var (images, counter) = Make(linkNth: n => n == 1 ? Down : new OpenInWeChatLink("weixin://dl/" + n, T0));
        Assert.Equal(FailureCodes.WeChatUnavailable, (await images.GetOpenLinkAsync()).Failure?.Code);
        Assert.Equal("weixin://dl/2", (await images.GetOpenLinkAsync()).Value!.Url);
        Assert.Equal("weixin://dl/2", (await images.GetOpenLinkAsync()).Value!.Url);
        Assert.Equal(2, counter.Links);
    }
}
