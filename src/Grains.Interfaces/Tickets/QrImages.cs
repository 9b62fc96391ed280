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

/// <summary>
/// Pre-generated WeChat mini-program codes of one privately deployed identity source (key "pool/identifier"),
/// refilled in the background so ticket creation never waits on WeChat and bursts stay inside its quota.
/// </summary>
[Alias("ScanLogin.IMiniProgramCodePoolGrain")]
public interface IMiniProgramCodePoolGrain : IGrainWithStringKey
{
    /// <summary>A ticket id whose code (scene = that id) is ready, or a fresh id when the pool is empty. Synchronous
    /// inside the grain and interleaved, so ticket creation never queues behind a WeChat call of the pool.</summary>
    [AlwaysInterleave, Alias("Take")]
    Task<string> TakeAsync();

    /// <summary>The code image for a ticket id: the pre-generated one, or one generated now.</summary>
    [Alias("GetCode")]
    Task<Outcome<byte[]>> GetCodeAsync(string ticketId);

    /// <summary>Codes ready to hand out (for tests and metrics).</summary>
    [AlwaysInterleave, Alias("CountReady")]
    Task<int> CountReadyAsync();
}
