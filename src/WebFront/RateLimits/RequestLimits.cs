using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ScanLogin.WebFront.RateLimits;

/// <summary>
/// Bounds on what a client may send, whatever the endpoint: bodies (larger logo uploads raise their own limit),
/// header count and size, the request line, and how slowly headers and bodies may trickle in.
/// </summary>
public static class RequestLimits
{
    public const long MaxBodyBytes = 16 * 1024;
    public const int MaxHeaderBytes = 16 * 1024;
    public const int MaxHeaderCount = 64;
    public const int MaxRequestLineBytes = 8 * 1024;

    public static void Apply(KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = MaxBodyBytes;
        limits.MaxRequestHeadersTotalSize = MaxHeaderBytes;
        limits.MaxRequestHeaderCount = MaxHeaderCount;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.Http2.MaxRequestHeaderFieldSize = MaxHeaderBytes;
        limits.Http2.HeaderTableSize = 4096;
    }
}
