using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Apis;

/// <summary>A ticket's QR code as PNG, SVG or a data URL, with caching headers and CORS for the application's allowed origins.</summary>
public static class QrCodesApi
{
    public const int DefaultSize = 240;

    public sealed record QrDataUrl(string DataUrl, string ContentType, int Size);

    public static IEndpointRouteBuilder MapQrCodesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tickets/{ticketId}").WithTags("QR codes").WithUnknownTicketIds();
        api.MapGet("/qr.png", (string ticketId, HttpContext http, IClusterClient cluster, TimeProvider time, int size = DefaultSize) =>
                ImageAsync(ticketId, QrFormat.Png, size, http, cluster, time))
            .WithName("GetTicketQrPng").WithSummary("The ticket's code as a PNG, `size` 160 to 1280 px (default 240; drawn at the nearest of 160, 240, 320, 512, 640, 960, 1280), logo in the centre")
            .Produces(StatusCodes.Status200OK, contentType: "image/png");
        api.MapGet("/qr.svg", (string ticketId, HttpContext http, IClusterClient cluster, TimeProvider time, int size = DefaultSize) =>
                ImageAsync(ticketId, QrFormat.Svg, size, http, cluster, time))
            .WithName("GetTicketQrSvg").WithSummary("The ticket's code as SVG (vector modules, logo embedded)")
            .Produces(StatusCodes.Status200OK, contentType: "image/svg+xml");
        api.MapGet("/qr", DataUrlAsync)
            .WithName("GetTicketQrDataUrl").WithSummary("The ticket's code as a data URL, for clients that put it inline (`format` png or svg)");
        return app;
    }

    internal static int MaxAgeSeconds(DateTimeOffset expiresAt, DateTimeOffset renderedAt, DateTimeOffset now) =>
        (int)Math.Max(0, Math.Min((expiresAt - renderedAt).TotalSeconds, (expiresAt - now).TotalSeconds));

    private static async Task<IResult> ImageAsync(string ticketId, QrFormat format, int size, HttpContext http, IClusterClient cluster, TimeProvider time)
    {
        if (await LimitAsync(ticketId, http) is { } tooMany) return tooMany;
        var rendered = await RenderAsync(ticketId, format, size, http, cluster);
        if (rendered.Value is not { } image) return rendered.Failure is { } f ? ApiProblems.From(f) : ApiProblems.MalformedTicketId();
        var headers = http.Response.GetTypedHeaders();
        headers.ETag = EntityTagHeaderValue.Parse(image.ETag);
        headers.LastModified = image.RenderedAt;
        // A ticket's picture never changes; it is only worth keeping while the ticket lives. The deadline is on the silo's
        // clock, so this front end's clock alone could stretch it (a clock behind the silo's): never longer than what the
        // silo itself saw left when it drew the picture.
        var seconds = image.ExpiresAt is { } at ? MaxAgeSeconds(at, image.RenderedAt, time.GetUtcNow()) : 60;
        headers.CacheControl = new CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromSeconds(seconds) };
        if (http.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Compare(headers.ETag, useStrongComparison: false) || tag.Equals(EntityTagHeaderValue.Any)))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.File(image.Content, image.ContentType);
    }

    private static async Task<Results<Ok<QrDataUrl>, ProblemHttpResult>> DataUrlAsync(string ticketId, HttpContext http, IClusterClient cluster,
        string format = "png", int size = DefaultSize)
    {
        QrFormat? parsed = format switch { "png" => QrFormat.Png, "svg" => QrFormat.Svg, _ => null };
        if (parsed is null) return ApiProblems.Invalid("format", "png or svg.");
        if (await LimitAsync(ticketId, http) is { } tooMany) return tooMany;
        var rendered = await RenderAsync(ticketId, parsed.Value, size, http, cluster);
        if (rendered.Value is not { } image) return rendered.Failure is { } f ? ApiProblems.From(f) : ApiProblems.MalformedTicketId();
        return TypedResults.Ok(new QrDataUrl($"data:{image.ContentType};base64,{Convert.ToBase64String(image.Content)}", image.ContentType, image.Size));
    }

    /// <summary>Pictures per client address, counted before the ticket is asked (a malformed id is refused without a permit).</summary>
    private static async Task<ProblemHttpResult?> LimitAsync(string ticketId, HttpContext http) =>
        Secrets.IsWellFormedId(ticketId) && await AbuseLimits.QrImageAsync(http) is { } refusal ? refusal.ToProblem(http) : null;

    /// <summary>Null failure means a malformed id. Adds CORS headers when the request comes from an allowed origin.</summary>
    private static async Task<Outcome<QrImage>> RenderAsync(string ticketId, QrFormat format, int size, HttpContext http, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return new Outcome<QrImage>(null, null);
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).GetImageAsync(new QrImageRequest(format, size));
        if (outcome.Value is { } image)
        {
            http.Response.Headers.Vary = "Origin";
            // Browser SDKs draw the code onto a canvas, which needs CORS on the image itself.
            // The origins the access policy fixed when the ticket was created: drawing reads no application.
            if (http.Request.Headers.Origin.ToString() is var origin && RequestOrigins.Allows(image.AllowedOrigins, origin))
                http.Response.Headers.AccessControlAllowOrigin = origin;
        }
        return outcome;
    }
}
