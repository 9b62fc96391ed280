using Microsoft.AspNetCore.Server.Kestrel.Core;
using ScanLogin.WebFront.RateLimits;
using Xunit;

namespace ScanLogin.UnitTests.RateLimits;

/// <summary>
/// What any client may send the front end, whatever the endpoint (<see cref="RequestLimits"/>): 16 KiB bodies, 64 headers
/// in 16 KiB, an 8 KiB request line, headers within 15 s, bodies at 240 bytes a second after 5 s.
/// </summary>
public sealed class RequestLimitsTests
{
    [Fact]
    public void Every_request_is_bounded_in_body_headers_request_line_and_how_slowly_it_may_trickle_in()
    {
        var limits = new KestrelServerLimits();
        RequestLimits.Apply(limits);
        Assert.Equal(16 * 1024, limits.MaxRequestBodySize);
        Assert.Equal(16 * 1024, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(64, limits.MaxRequestHeaderCount);
        Assert.Equal(8 * 1024, limits.MaxRequestLineSize);
        Assert.Equal(TimeSpan.FromSeconds(15), limits.RequestHeadersTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(16 * 1024, limits.Http2.MaxRequestHeaderFieldSize);
        Assert.Equal(4096, limits.Http2.HeaderTableSize);
    }
}
