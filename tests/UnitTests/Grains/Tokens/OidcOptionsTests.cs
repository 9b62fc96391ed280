using Microsoft.IdentityModel.Tokens;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tokens;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// The silos' token settings (<see cref="OidcOptions"/>): which public base URLs, algorithms and cache timings a silo starts
/// with, each refusal naming its setting, and the issuer each pool gets from the base URL.
/// </summary>
public sealed class OidcOptionsTests
{
    [Theory]
    [InlineData("https://login.example", true)]
    [InlineData("https://login.example/", true)]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("https://login.example/base", true)]
    [InlineData("ftp://login.example", false)]
    [InlineData("login.example", false)]
    [InlineData("https://login.example/?tenant=1", false)]
    [InlineData("https://login.example/#top", false)]
    [InlineData("https://user:pass@login.example", false)]
    [InlineData("https://user@login.example", false)]
    public void The_public_base_url_is_an_absolute_http_url_without_query_fragment_or_credentials(string url, bool accepted)
    {
        var error = new OidcOptions { PublicBaseUrl = url }.Validate();
        if (accepted) Assert.Null(error);
        else Assert.Equal("ScanLogin:Oidc:PublicBaseUrl must be an absolute http(s) URL without query, fragment or credentials.", error);
    }

    [Theory]
    [InlineData(SigningAlgorithms.ES256, true)]
    [InlineData(SigningAlgorithms.RS256, true)]
    [InlineData("HS256", false)]
    [InlineData("es256", false)]
    public void Only_ES256_and_RS256_sign(string algorithm, bool accepted) =>
        Assert.Equal(accepted, new OidcOptions { SigningAlgorithm = algorithm }.Validate() is null);

    [Fact]
    public void A_new_key_is_published_at_least_as_long_as_relying_parties_cache_the_keys_before_it_signs()
    {
        var cache = TimeSpan.FromMinutes(10);
        Assert.Null(new OidcOptions { JwksCacheDuration = cache, KeyPropagationDelay = cache }.Validate());
        Assert.StartsWith("ScanLogin:Oidc:KeyPropagationDelay", new OidcOptions { JwksCacheDuration = cache, KeyPropagationDelay = cache - TimeSpan.FromTicks(1) }.Validate());
        Assert.Null(new OidcOptions { JwksCacheDuration = TimeSpan.Zero, KeyPropagationDelay = TimeSpan.Zero }.Validate());
        Assert.Equal("ScanLogin:Oidc:JwksCacheDuration must not be negative.",
            new OidcOptions { JwksCacheDuration = TimeSpan.FromSeconds(-1), KeyPropagationDelay = TimeSpan.Zero }.Validate());
    }

    [Fact]
    public void A_silo_with_unworkable_token_settings_fails_its_options_validation_naming_the_setting()
    {
        var validation = new OidcOptionsValidation();
        Assert.True(validation.Validate(null, new OidcOptions()).Succeeded);
        var failed = validation.Validate(null, new OidcOptions { SigningAlgorithm = "none" });
        Assert.True(failed.Failed);
        Assert.Contains("ScanLogin:Oidc:SigningAlgorithm", failed.FailureMessage);
    }

    [Fact]
    public void A_pools_issuer_is_the_public_base_url_with_one_slash_then_oidc_and_the_pool()
    {
        Assert.Equal("https://login.example/oidc/pool-1", new OidcOptions { PublicBaseUrl = "https://login.example/" }.IssuerOf("pool-1"));
        Assert.Equal("https://login.example/base/oidc/pool-1", new OidcOptions { PublicBaseUrl = "https://login.example/base" }.IssuerOf("pool-1"));
    }

    [Fact]
    public void A_silos_copy_of_the_keys_is_refreshed_within_the_clock_skew_and_tokens_live_a_day_at_most()
    {
        Assert.True(OidcOptions.SignerRefresh < OidcOptions.ClockSkew);
        Assert.Equal(TimeSpan.FromDays(1), OidcOptions.MaxTokenLifetime);
        Assert.Equal(TimeSpan.FromMinutes(5), OidcOptions.ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(30), OidcOptions.SignerRefresh);
        var defaults = new OidcOptions();
        Assert.Equal((SigningAlgorithms.ES256, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)),
            (defaults.SigningAlgorithm, defaults.KeyPropagationDelay, defaults.JwksCacheDuration));
    }
}

/// <summary>
/// Which of a pool's keys signs and which verify at an instant (<see cref="PoolSigner"/>): the newest key whose signing
/// period has begun and not ended signs; every key still published verifies; a key's algorithm names its JWS algorithm.
/// </summary>
public sealed class PoolSignerTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static PoolSigningKey Key(string algorithm, DateTimeOffset signsFrom, DateTimeOffset? signsUntil, DateTimeOffset? publishedUntil)
    {
        var (pkcs8, jwk) = SigningKeyMaterial.Create(algorithm);
        return new PoolSigningKey(jwk.Kid, algorithm, SigningKeyMaterial.Load(algorithm, jwk.Kid, pkcs8), signsFrom, signsUntil, publishedUntil);
    }

    [Fact]
    public void The_newest_key_whose_signing_period_has_begun_and_not_ended_signs()
    {
        var rotation = T0.AddHours(1);
        var old = Key(SigningAlgorithms.ES256, T0, rotation, rotation.AddDays(1));
        var next = Key(SigningAlgorithms.ES256, rotation, null, null);
        var signer = new PoolSigner("https://login.example/oidc/p", TimeSpan.FromHours(1), [next, old], T0);
        Assert.Same(old, signer.SigningKeyAt(T0));
        Assert.Same(old, signer.SigningKeyAt(rotation.AddTicks(-1)));
        Assert.Same(next, signer.SigningKeyAt(rotation));
        Assert.Same(next, signer.SigningKeyAt(rotation.AddDays(3)));
        // Before any key signs (never from the key grain), the newest is used rather than none.
        Assert.Same(next, signer.SigningKeyAt(T0.AddTicks(-1)));
        Assert.Same(old, signer.Find(old.KeyId));
        Assert.Null(signer.Find("no-such-kid"));
    }

    [Fact]
    public void Of_several_keys_signing_at_once_the_one_that_began_last_signs()
    {
        var older = Key(SigningAlgorithms.ES256, T0, null, null);
        var newer = Key(SigningAlgorithms.ES256, T0.AddHours(1), null, null);
        var signer = new PoolSigner("https://login.example/oidc/p", TimeSpan.FromHours(1), [older, newer], T0);
        Assert.Same(newer, signer.SigningKeyAt(T0.AddHours(2)));
        Assert.Same(newer, (signer with { Keys = [newer, older] }).SigningKeyAt(T0.AddHours(2)));
    }

    [Fact]
    public void Every_key_verifies_until_its_publication_ends()
    {
        var until = T0.AddHours(2);
        var retired = Key(SigningAlgorithms.ES256, T0.AddDays(-1), T0, until);
        var current = Key(SigningAlgorithms.RS256, T0, null, null);
        var signer = new PoolSigner("https://login.example/oidc/p", TimeSpan.FromHours(1), [retired, current], T0);
        Assert.Equal([retired.Key, current.Key], signer.VerifyingKeysAt(until.AddTicks(-1)));
        Assert.Equal([current.Key], signer.VerifyingKeysAt(until));
    }

    [Fact]
    public void A_keys_algorithm_names_its_jws_algorithm_and_its_text_names_no_key_material()
    {
        var ec = Key(SigningAlgorithms.ES256, T0, null, null);
        var rsa = Key(SigningAlgorithms.RS256, T0, null, null);
        Assert.Equal(SecurityAlgorithms.EcdsaSha256, ec.JwsAlgorithm);
        Assert.Equal(SecurityAlgorithms.RsaSha256, rsa.JwsAlgorithm);
        Assert.Equal($"PoolSigningKey {{ {rsa.KeyId}, RS256 }}", rsa.ToString());
    }

    [Fact]
    public void A_key_pair_is_made_only_for_a_supported_algorithm_and_its_public_jwk_reads_back_as_a_verifier()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SigningKeyMaterial.Create("HS256"));
        foreach (var algorithm in SigningAlgorithms.All)
        {
            var (pkcs8, jwk) = SigningKeyMaterial.Create(algorithm);
            Assert.Equal(algorithm, jwk.Alg);
            Assert.Equal(jwk.Kid, SigningKeyMaterial.Verifier(jwk).KeyId);
            Assert.Equal(jwk.Kid, SigningKeyMaterial.PublicJwk(algorithm, pkcs8).Kid);
        }
    }
}
