namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// The operator's preview of an identity source's code, drawn as <see cref="Tickets.TicketGrain"/> draws ticket pictures
/// (the QR renderer with the logo plate; for a privately deployed source the mini-program code art with its larger plate)
/// but over <see cref="Payload"/>, which is no ticket and never asks WeChat. One picture per drawn size, kept while the
/// logo and the kind of source stay the same: at most <see cref="QrImageSizes.Steps"/> pictures per source.
/// </summary>
public sealed class QrPreviewGrain(LogoLibrary logos, TimeProvider time) : Grain, IQrPreviewGrain
{
    /// <summary>What a scan of the preview reads: plain text that says it is a sample.</summary>
    public const string Payload = "ScanLogin preview: a sample code, not a login ticket";

    private readonly Dictionary<int, QrImage> _pictures = [];
    private (string? LogoHash, bool IsPrivate) _drawnFor;

    async Task<Outcome<QrImage>> IQrPreviewGrain.GetPreviewAsync(int size)
    {
        if (size is < QrRenderer.MinSize or > QrRenderer.MaxSize)
            return new Failure(FailureCodes.ImageSizeInvalid, $"The size is {QrRenderer.MinSize} to {QrRenderer.MaxSize} pixels.");
        size = QrImageSizes.Snap(size);
        var source = GrainFactory.GetGrain<IIdentitySourceGrain>(this.GetPrimaryKeyString());
        if (await source.GetAsync() is not { } settings)
            return new Failure(FailureCodes.IdentitySourceNotFound, "The identity source does not exist.");
        var drawFor = (settings.LogoHash, settings.PrivateDeployment);
        if (drawFor != _drawnFor) _pictures.Clear();
        _drawnFor = drawFor;
        if (_pictures.TryGetValue(size, out var kept)) return kept;

        var logo = await logos.GetAsync(settings.LogoHash, () => source.GetLogoAsync());
        byte[] png;
        if (settings.PrivateDeployment)
        {
            // WeChat's code is not asked for (it would spend quota on a code no one scans): the sample modules stand in for it.
            var art = MiniProgramCodeArt.ToPng(QrRenderer.RenderPng(Payload, size, null), logo, size);
            if (art.Value is null) return art.Failure!;
            png = art.Value;
        }
        else png = QrRenderer.RenderPng(Payload, size, logo);
        var etag = "\"" + Secrets.Hash("qr-preview", $"{settings.LogoHash}|{settings.PrivateDeployment}|{size}")[..22] + "\"";
        return _pictures[size] = new QrImage(png, "image/png", etag, null, [], time.GetUtcNow(), size);
    }
}
