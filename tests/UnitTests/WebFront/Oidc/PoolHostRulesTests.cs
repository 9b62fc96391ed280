using System.Net;
using ScanLogin.Grains.Domains;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Oidc;
using Xunit;

namespace ScanLogin.UnitTests.PoolHosts;

/// <summary>The pure rules of pools' own hosts: the template, claimable domain names, one verified pool per domain, public addresses only.</summary>
public sealed class PoolHostRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_template_names_a_pool_by_its_hosts_first_label_and_issues_at_that_host_with_the_templates_port()
    {
        var template = PoolHostTemplate.Parse("https://{pool}.login.example.com")!;
        Assert.Equal("pool-a1", template.PoolOf("pool-a1.login.example.com"));
        Assert.Equal("https://pool-a1.login.example.com", template.IssuerOf("pool-a1"));
        Assert.Equal("http://shop-1.login.test:5123", PoolHostTemplate.Parse("http://{pool}.login.test:5123/")!.IssuerOf("shop-1"));
        // Not a pool id (a dot, an upper-case letter, too short) or not under the suffix: no pool.
        foreach (var host in new[] { "a.b.login.example.com", "Pool-a1.login.example.com", "ab.login.example.com", "login.example.com", "pool-a1.login.example.com.evil.com", "pool-a1.evil.com" })
            Assert.Null(template.PoolOf(host));
        Assert.Null(PoolHostTemplate.Parse(null));
        Assert.Null(PoolHostTemplate.Parse(" "));
    }

    [Fact]
    public void A_pool_label_is_3_to_40_lowercase_letters_digits_or_dashes_starting_with_a_letter_or_digit()
    {
        var template = PoolHostTemplate.Parse("https://{pool}.login.example.com")!;
        foreach (var pool in new[] { "abc", "123", "a-b", "pool-", new string('p', 40) })
            Assert.Equal(pool, template.PoolOf(pool + ".login.example.com"));
        foreach (var label in new[] { "-ab", "a_b", "pél", new string('p', 41), "" })
            Assert.Null(template.PoolOf(label + ".login.example.com"));
    }

    [Fact]
    public void A_templates_default_port_is_left_out_of_the_issuer_and_another_port_kept()
    {
        Assert.Equal("https://shop-1.login.example.com", PoolHostTemplate.Parse("https://{pool}.login.example.com:443")!.IssuerOf("shop-1"));
        Assert.Equal("http://shop-1.login.test", PoolHostTemplate.Parse("http://{pool}.login.test:80/")!.IssuerOf("shop-1"));
        Assert.Equal("https://shop-1.login.example.com:8443", PoolHostTemplate.Parse("https://{pool}.login.example.com:8443")!.IssuerOf("shop-1"));
        var parsed = PoolHostTemplate.Parse("https://{pool}.Login.Example.com")!;
        Assert.Equal(new PoolHostTemplate("https", ".login.example.com", ""), parsed);
    }

    [Theory]
    [InlineData("login.example.com")]
    [InlineData("https://login.example.com/{pool}")]
    [InlineData("https://x{pool}.login.example.com")]
    [InlineData("https://{pool}.login.example.com/path")]
    [InlineData("ftp://{pool}.login.example.com")]
    // Schemes as long as "http://": refused, never read as http.
    [InlineData("ftps://{pool}.login.example.com")]
    [InlineData("HTTP://{pool}.login.example.com")]
    [InlineData("https://{pool}.{pool}.example.com")]
    [InlineData("https://user@{pool}.login.example.com")]
    [InlineData("https://{pool}.login.example.com?x=1")]
    [InlineData("https://{pool}.login.example.com#x")]
    [InlineData("https://{pool}.x@login.example.com")]
    [InlineData("https://{pool}")]
    [InlineData("https://")]
    public void A_template_that_cannot_name_a_pools_host_stops_the_start(string template) =>
        Assert.Contains("PoolHostTemplate", Assert.Throws<InvalidOperationException>(() => PoolHostTemplate.Parse(template)).Message);

    [Theory]
    [InlineData("Login.Shop.Example.", "login.shop.example")]
    [InlineData("a.b", null)]
    [InlineData("localhost", null)]
    [InlineData("10.0.0.1", null)]
    [InlineData("[::1]", null)]
    [InlineData("shop.example:80", null)]
    [InlineData("-a.example", null)]
    [InlineData("a_b.example", null)]
    [InlineData("xn--fiq228c.example", "xn--fiq228c.example")]
    public void A_custom_domain_is_a_lowercase_dns_name_of_two_labels_or_more(string input, string? expected) =>
        Assert.Equal(expected, CustomDomains.Normalize(input));

    [Fact]
    public void Pending_claims_do_not_block_but_the_first_verified_pool_holds_the_domain_alone()
    {
        var rules = new DomainRules(2, "login.scanlogin.example", "https://{pool}.login.scanlogin.example");
        DomainClaim[] claims = [new("shop.example", "pool-a", "ta", Now, null), new("shop.example", "pool-b", "tb", Now, null)];
        Assert.Null(rules.CheckClaim(claims, "pool-c", "shop.example"));

        var (after, verified) = DomainRules.Verify(claims, "pool-b", "shop.example", "tb", Now);
        Assert.Equal(Now, verified!.VerifiedAt);
        Assert.Equal("pool-b", Assert.Single(after).PoolId);
        Assert.Equal(DomainFailureCodes.Taken, rules.CheckClaim(after, "pool-a", "shop.example")!.Code);
        Assert.Null(rules.CheckClaim(after, "pool-b", "shop.example"));
        // A verification decided on a token the store no longer holds, or after another pool won, changes nothing.
        Assert.Null(DomainRules.Verify(after, "pool-a", "shop.example", "ta", Now).Verified);
        Assert.Null(DomainRules.Verify(claims, "pool-a", "shop.example", "stale", Now).Verified);
        Assert.Equal(new Dictionary<string, string> { ["shop.example"] = "pool-b" }, DomainRules.VerifiedMap(after));
    }

    [Fact]
    public void ScanLogins_own_names_and_more_than_the_pools_share_cannot_be_claimed()
    {
        var rules = new DomainRules(1, "login.scanlogin.example", "https://{pool}.login.scanlogin.example:8443");
        Assert.Equal(AdminFailureCodes.ValidationFailed, rules.CheckClaim([], "pool-a", "login.scanlogin.example")!.Code);
        Assert.Equal(AdminFailureCodes.ValidationFailed, rules.CheckClaim([], "pool-a", "pool-b.login.scanlogin.example")!.Code);
        Assert.Equal(AdminFailureCodes.ValidationFailed, rules.CheckClaim([], "pool-a", "not a host")!.Code);
        DomainClaim[] one = [new("a.example", "pool-a", "t", Now, null)];
        Assert.Equal(DomainFailureCodes.TooMany, rules.CheckClaim(one, "pool-a", "b.example")!.Code);
        Assert.Null(rules.CheckClaim(one, "pool-a", "a.example"));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    public void A_challenge_is_fetched_from_public_addresses_only(string address, bool isPublic) =>
        Assert.Equal(isPublic, DomainChallenge.IsPublic(IPAddress.Parse(address)));
}
