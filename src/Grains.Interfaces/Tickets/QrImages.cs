namespace ScanLogin.Grains.Interfaces;

[GenerateSerializer]
public enum QrFormat
{
    Png = 0,
    Svg = 1,
}

/// <summary>Which picture of a ticket's code: format and side in pixels (160 to 1280; answered at the nearest of a few steps).</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.QrImageRequest")]
public sealed record QrImageRequest(
    [property: Id(0)] QrFormat Format,
    [property: Id(1)] int Size);

/// <summary>A rendered code, with what the front end needs for caching and CORS, and the side it was drawn at.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.QrImage")]
public sealed record QrImage(
    [property: Id(0)] byte[] Content,
    [property: Id(1)] string ContentType,
    [property: Id(2)] string ETag,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] string[] AllowedOrigins,
    [property: Id(5)] DateTimeOffset RenderedAt,
    [property: Id(6)] int Size = 0);
