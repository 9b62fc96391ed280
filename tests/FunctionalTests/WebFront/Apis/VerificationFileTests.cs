using System.Net;
using Xunit;

namespace ScanLogin.FunctionalTests.MiniProgram;

/// <summary>WeChat's verification files at the site root, from ScanLogin:MiniProgram:VerificationFiles.</summary>
[Collection(SystemCollection.Name)]
public sealed class VerificationFileTests(SystemFixture system)
{
    [Fact]
    public async Task A_configured_verification_file_is_served_at_the_root_as_plain_text_by_every_front_end()
    {
        foreach (var front in new[] { system.A, system.B })
        {
            var response = await front.GetAsync("/" + SystemFixture.VerificationFileName);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(SystemFixture.VerificationFileContent, await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("/aBcDeFgHiJ.txt")]      // WeChat's shape, not configured
    [InlineData("/robots.html")]         // configured, but not WeChat's shape
    [InlineData("/zUzFRdrlzT.TXT")]
    [InlineData("/sub/zUzFRdrlzT.txt")]
    public async Task Other_names_are_not_found(string path)
    {
        var response = await system.A.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("not a verification file", await response.Content.ReadAsStringAsync());
    }
}
