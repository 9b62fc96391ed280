using System.Net;
using System.Net.Http.Headers;
using Xunit;

namespace ScanLogin.FunctionalTests.Properties;

/// <summary>Findings of the property tests, pinned as examples.</summary>
[Collection(PropertyCollection.Name)]
public sealed class ErrorShapeTests(PropertyFixture system)
{
    [Theory]
    [InlineData("text/event-stream")]
    [InlineData("text/html")]
    [InlineData("n8WXQephJXJ")]
    public async Task Errors_keep_the_json_shape_whatever_the_client_accepts(string accept)
    {
        // No content type: the framework refuses the body (415) and writes the problem itself.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = new ByteArrayContent("{}"u8.ToArray()) };
        request.Headers.TryAddWithoutValidation("Accept", accept);
        await Api.ProblemAsync(await system.Http.SendAsync(request), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

        var unknown = new HttpRequestMessage(HttpMethod.Get, "/no/such/route");
        unknown.Headers.TryAddWithoutValidation("Accept", accept);
        await Api.ProblemAsync(await system.Http.SendAsync(unknown), HttpStatusCode.NotFound, "not_found");
    }
}
