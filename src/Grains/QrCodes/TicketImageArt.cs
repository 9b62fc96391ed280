using System.Text;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// Draws a ticket's code: the mini-program code from WeChat's pool for a private deployment, else a QR code of the
/// mini program's link, with the identity source's logo. What it draws is fixed in the ticket's terms at creation (the
/// logo's version, private deployment), so drawing reads neither the application nor the source's settings. The ETag
/// covers everything the picture depends on.
/// </summary>
public static class TicketImageArt
{
    public static async Task<Outcome<QrImage>> RenderAsync(IGrainFactory grains, LogoLibrary logos, QrOptions qr, TicketState ticket,
        QrImageRequest request, ProductClock clock)
    {
        var sourceKey = IdentitySourceSettings.KeyOf(ticket.PoolId, ticket.IdentitySource);
        var terms = ticket.Terms!;
        // The bytes come from the source only when this silo has not decoded that logo yet (the library is keyed by version).
        var logo = await logos.GetAsync(terms.LogoHash, () => grains.GetGrain<IIdentitySourceGrain>(sourceKey).GetLogoAsync());
        var isPrivate = terms.PrivateDeployment;

        byte[] content;
        if (isPrivate)
        {
            var code = await grains.GetGrain<IMiniProgramCodePoolGrain>(sourceKey).GetCodeAsync(ticket.TicketId);
            if (code.Value is null) return code.Failure!;
            var png = MiniProgramCodeArt.ToPng(code.Value, logo, request.Size);
            if (png.Value is null) return png.Failure!;
            content = request.Format == QrFormat.Png ? png.Value : Encoding.UTF8.GetBytes(MiniProgramCodeArt.ToSvg(png.Value, request.Size));
        }
        else
        {
            var payload = qr.MiniProgramLinkPrefix + ticket.TicketId;
            content = request.Format == QrFormat.Png
                ? QrRenderer.RenderPng(payload, request.Size, logo)
                : Encoding.UTF8.GetBytes(QrRenderer.RenderSvg(payload, request.Size, logo));
        }
        var etag = "\"" + Secrets.Hash("qr-image", $"{ticket.TicketId}|{request}|{terms.LogoHash}|{isPrivate}|{qr.MiniProgramLinkPrefix}")[..22] + "\"";
        return new QrImage(content, request.Format == QrFormat.Png ? "image/png" : "image/svg+xml", etag, ticket.Deadline, terms.AllowedOrigins,
            clock.Now, request.Size); // the deadline's clock: front ends compare the two to bound how long the picture is cached
    }
}
