using System.Text;
using ScanLogin.WebFront.Apis;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The one reading of HTTP Basic credentials, for the ticket APIs, the token endpoint and the operators' pages.</summary>
public sealed class BasicCredentialsTests
{
    private static string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));

    [Fact]
    public void A_header_that_is_not_Basic_is_no_credentials()
    {
        Assert.Null(BasicCredentials.Parse(""));
        Assert.Null(BasicCredentials.Parse("Bearer abc"));
    }

    [Fact]
    public void Id_and_password_split_at_the_first_colon_and_the_scheme_is_case_insensitive()
    {
        Assert.Equal(new BasicCredentials("app", "se:cret"), BasicCredentials.Parse(Basic("app:se:cret")));
        Assert.Equal(new BasicCredentials("app", "secret"), BasicCredentials.Parse("basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("app:secret"))));
    }

    [Fact]
    public void A_Basic_header_that_cannot_be_read_is_unreadable_not_absent()
    {
        Assert.Equal(BasicCredentials.Unreadable, BasicCredentials.Parse("Basic !!!not-base64"));
        Assert.Equal(BasicCredentials.Unreadable, BasicCredentials.Parse(Basic("no-colon")));
        Assert.False(BasicCredentials.Parse(Basic("app:"))!.IsComplete);
        Assert.False(BasicCredentials.Parse(Basic(":secret"))!.IsComplete);
    }

    [Fact]
    public void The_token_endpoint_form_decodes_both_parts_and_refuses_a_missing_one()
    {
        Assert.Equal(new BasicCredentials("my app", "a:b/c"), BasicCredentials.Parse(Basic("my+app:a%3Ab%2Fc"))!.FormDecoded());
        Assert.Equal(BasicCredentials.Unreadable, BasicCredentials.Parse(Basic("app:"))!.FormDecoded());
    }

    [Fact]
    public void The_secret_never_appears_in_its_text()
    {
        Assert.DoesNotContain("s3cr3t", BasicCredentials.Parse(Basic("app:s3cr3t"))!.ToString());
    }
}
