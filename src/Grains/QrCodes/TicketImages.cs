namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// What one ticket has drawn or asked WeChat for, kept by its activation: the QR pictures (each snapped size and format
/// drawn once) and the one open-in-WeChat link. Concurrent requests share one attempt; a failed attempt is made again
/// next time. Made by the ticket grain at the first picture or link: most tickets never need one.
/// </summary>
public sealed class TicketImages(Func<QrImageRequest, Task<Outcome<QrImage>>> draw, Func<Task<Outcome<OpenInWeChatLink>>> makeLink)
{
    private readonly Dictionary<QrImageRequest, Task<Outcome<QrImage>>> _images = [];
    private Task<Outcome<OpenInWeChatLink>>? _openLink;

    /// <summary>The picture at the nearest drawn size; a size outside the renderer's range is refused.</summary>
    public async Task<Outcome<QrImage>> GetAsync(QrImageRequest request)
    {
        if (request.Size is < QrRenderer.MinSize or > QrRenderer.MaxSize)
            return new Failure(FailureCodes.ImageSizeInvalid, $"The size is {QrRenderer.MinSize} to {QrRenderer.MaxSize} pixels.");
        // Drawn only at a few sizes (the nearest answers), each kept: cycling sizes never draws again.
        request = request with { Size = QrImageSizes.Snap(request.Size) };
        if (_images.TryGetValue(request, out var cached) && !IsFailed(cached)) return await cached;
        return await (_images[request] = draw(request));
    }

    /// <summary>One link per ticket, so WeChat's daily quota is not spent per request.</summary>
    public Task<Outcome<OpenInWeChatLink>> GetOpenLinkAsync()
    {
        if (_openLink is null || IsFailed(_openLink)) _openLink = makeLink();
        return _openLink;
    }

    private static bool IsFailed<T>(Task<Outcome<T>> attempt) => attempt.IsCompleted && !attempt.Result.Succeeded;
}
