using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tokens;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// What a pool's tokens say (<see cref="PoolTokens"/>): profile claims only with the profile scope, phone claims only
/// with the phone scope, the access token's type, id, client and scope, and the access-token check's issuer, type,
/// key and expiry rules.
/// </summary>
public sealed class PoolTokensTests
{
    private const string Issuer = "https://login.scanlogin.test/pools/pool-1";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly DateTimeOffset AuthTime = Now.AddMinutes(-2);

    private static readonly UserProfile User = new("user-1", "pool-1", "Ada", "https://img.example/ada.png", "+8613800000000", Now.AddDays(-1));

    private static (PoolSigner Signer, PoolSigningKey Key) NewSigner(string issuer = Issuer, string algorithm = SigningAlgorithms.ES256,
        DateTimeOffset? publishedUntil = null)
    {
        var (pkcs8, jwk) = SigningKeyMaterial.Create(algorithm);
        var key = new PoolSigningKey(jwk.Kid, algorithm, SigningKeyMaterial.Load(algorithm, jwk.Kid, pkcs8), Now.AddDays(-1), null, publishedUntil);
        return (new PoolSigner(issuer, TimeSpan.FromHours(1), [key], Now), key);
    }

    private static TokenRequest Request(string[] scopes, UserProfile? user = null, string? nonce = "n-0S6_WzA2Mj") =>
        new("app-1", user ?? User, scopes, nonce, AuthTime, [TokenRequest.WeChatScanMethod], "wechat-main");

    private static TokenStamp Stamp(string keyId) => new("token-id-0123456789abcdef", keyId, Now, Now.AddHours(1));

    private static (JsonWebToken Id, JsonWebToken Access) Issue(TokenRequest request, (PoolSigner Signer, PoolSigningKey Key)? signer = null)
    {
        var (s, k) = signer ?? NewSigner();
        var issued = PoolTokens.Create(s, k, request, Stamp(k.KeyId));
        return (new JsonWebToken(issued.IdToken), new JsonWebToken(issued.AccessToken));
    }

    private static bool Has(JsonWebToken token, string claim) => token.TryGetPayloadValue<object>(claim, out _);

    [Fact]
    public void Openid_profile_token_carries_name_and_picture_and_no_phone()
    {
        var (id, _) = Issue(Request(["openid", "profile"]));

        Assert.Equal("Ada", id.GetPayloadValue<string>("name"));
        Assert.Equal("https://img.example/ada.png", id.GetPayloadValue<string>("picture"));
        Assert.False(Has(id, "phone_number"));
        Assert.False(Has(id, "phone_number_verified"));
    }

    [Fact]
    public void Phone_scope_adds_the_verified_phone_number()
    {
        var (id, _) = Issue(Request(["openid", "phone"]));

        Assert.Equal("+8613800000000", id.GetPayloadValue<string>("phone_number"));
        Assert.True(id.GetPayloadValue<bool>("phone_number_verified"));
        Assert.False(Has(id, "name"));
        Assert.False(Has(id, "picture"));
    }

    [Fact]
    public void Openid_alone_carries_no_profile_and_no_phone_claims()
    {
        var (id, _) = Issue(Request(["openid"]));

        Assert.False(Has(id, "name"));
        Assert.False(Has(id, "picture"));
        Assert.False(Has(id, "phone_number"));
        Assert.False(Has(id, "phone_number_verified"));
    }

    [Fact]
    public void Missing_or_empty_profile_values_are_left_out_rather_than_sent_empty()
    {
        var bare = User with { Nickname = "", AvatarUrl = null, Phone = "" };
        var (id, _) = Issue(Request(["openid", "profile", "phone"], bare));

        Assert.False(Has(id, "name"));
        Assert.False(Has(id, "picture"));
        Assert.False(Has(id, "phone_number"));
        Assert.False(Has(id, "phone_number_verified"));

        var noName = User with { Nickname = null, AvatarUrl = "" };
        var (id2, _) = Issue(Request(["openid", "profile"], noName));
        Assert.False(Has(id2, "name"));
        Assert.False(Has(id2, "picture"));
    }

    [Fact]
    public void Nonce_is_echoed_only_when_the_request_had_one()
    {
        var (withNonce, access) = Issue(Request(["openid"], nonce: "n-0S6_WzA2Mj"));
        Assert.Equal("n-0S6_WzA2Mj", withNonce.GetPayloadValue<string>("nonce"));
        Assert.False(Has(access, "nonce"));

        Assert.False(Has(Issue(Request(["openid"], nonce: null)).Id, "nonce"));
        Assert.False(Has(Issue(Request(["openid"], nonce: "")).Id, "nonce"));
    }

    [Fact]
    public void Both_tokens_name_the_user_login_and_pool_and_the_access_token_names_its_client_and_scopes()
    {
        var signer = NewSigner();
        var (id, access) = Issue(Request(["openid", "profile", "openid", "phone"]), signer);

        foreach (var token in new[] { id, access })
        {
            Assert.Equal(Issuer, token.Issuer);
            Assert.Equal(["app-1"], token.Audiences.ToArray());
            Assert.Equal("user-1", token.Subject);
            Assert.Equal(AuthTime.ToUnixTimeSeconds(), token.GetPayloadValue<long>("auth_time"));
            Assert.Equal([TokenRequest.WeChatScanMethod], token.GetPayloadValue<string[]>("amr"));
            Assert.Equal("wechat-main", token.GetPayloadValue<string>(PoolTokens.IdentitySourceClaim));
            Assert.Equal(Now.UtcDateTime, token.IssuedAt);
            Assert.Equal(Now.AddHours(1).UtcDateTime, token.ValidTo);
            // Times come from the pool's clock only: the library adds no nbf of the machine's own.
            Assert.False(Has(token, "nbf"));
            Assert.Equal(signer.Key.KeyId, token.Kid);
            Assert.Equal("ES256", token.Alg);
        }
        Assert.Equal("JWT", id.Typ);
        Assert.Equal(PoolTokens.AccessTokenType, access.Typ);
        Assert.Equal("token-id-0123456789abcdef", access.Id);
        Assert.Equal(Secrets.Hash("id-token", "token-id-0123456789abcdef")[..22], id.Id);
        Assert.NotEqual(access.Id, id.Id);
        Assert.Equal("app-1", access.GetPayloadValue<string>("client_id"));
        Assert.False(Has(id, "client_id"));
        Assert.False(Has(id, "scope"));
        // Each scope once, in the order asked.
        Assert.Equal("openid profile phone", access.GetPayloadValue<string>("scope"));
        // The access token carries no profile.
        Assert.False(Has(access, "name"));
        Assert.False(Has(access, "phone_number"));
    }

    [Fact]
    public void Rs256_key_signs_with_rs256()
    {
        var (id, access) = Issue(Request(["openid"]), NewSigner(algorithm: SigningAlgorithms.RS256));
        Assert.Equal("RS256", id.Alg);
        Assert.Equal("RS256", access.Alg);
    }

    [Fact]
    public async Task A_valid_access_token_reads_back_its_subject_client_scopes_id_and_expiry()
    {
        var signer = NewSigner();
        var issued = PoolTokens.Create(signer.Signer, signer.Key, Request(["openid", "profile"]), Stamp(signer.Key.KeyId));

        var outcome = await PoolTokens.ValidateAccessTokenAsync(signer.Signer, issued.AccessToken, new FakeTimeProvider(Now.AddMinutes(5)));

        Assert.True(outcome.Succeeded, outcome.Failure?.Code);
        var info = outcome.Value!;
        Assert.Equal("user-1", info.Subject);
        Assert.Equal("app-1", info.AppId);
        Assert.Equal(["openid", "profile"], info.Scopes);
        Assert.Equal("token-id-0123456789abcdef", info.TokenId);
        Assert.Equal(Now.AddHours(1), info.ExpiresAt);
    }

    [Fact]
    public async Task An_id_token_is_not_accepted_as_an_access_token()
    {
        var signer = NewSigner();
        var issued = PoolTokens.Create(signer.Signer, signer.Key, Request(["openid"]), Stamp(signer.Key.KeyId));

        var outcome = await PoolTokens.ValidateAccessTokenAsync(signer.Signer, issued.IdToken, new FakeTimeProvider(Now.AddMinutes(5)));

        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, outcome.Failure?.Code);
    }

    [Fact]
    public async Task An_access_token_is_refused_from_its_expiry_instant_by_the_pool_clock()
    {
        var signer = NewSigner();
        var issued = PoolTokens.Create(signer.Signer, signer.Key, Request(["openid"]), Stamp(signer.Key.KeyId));

        var justBefore = await PoolTokens.ValidateAccessTokenAsync(signer.Signer, issued.AccessToken, new FakeTimeProvider(Now.AddHours(1).AddSeconds(-1)));
        var atExpiry = await PoolTokens.ValidateAccessTokenAsync(signer.Signer, issued.AccessToken, new FakeTimeProvider(Now.AddHours(1)));

        Assert.True(justBefore.Succeeded, justBefore.Failure?.Code);
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, atExpiry.Failure?.Code);
    }

    [Fact]
    public async Task An_access_token_of_another_issuer_or_key_is_refused()
    {
        var signer = NewSigner();
        var issued = PoolTokens.Create(signer.Signer, signer.Key, Request(["openid"]), Stamp(signer.Key.KeyId));
        var time = new FakeTimeProvider(Now.AddMinutes(5));

        var otherIssuer = signer.Signer with { Issuer = Issuer + "-other" };
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, (await PoolTokens.ValidateAccessTokenAsync(otherIssuer, issued.AccessToken, time)).Failure?.Code);

        var otherKey = NewSigner();
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, (await PoolTokens.ValidateAccessTokenAsync(otherKey.Signer, issued.AccessToken, time)).Failure?.Code);

        // A key no longer published verifies nothing.
        var retired = signer.Signer with { Keys = [signer.Key with { PublishedUntil = Now.AddMinutes(1) }] };
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, (await PoolTokens.ValidateAccessTokenAsync(retired, issued.AccessToken, time)).Failure?.Code);
    }

    /// <summary>A token signed with the pool's key but shaped by hand, to see what the checks read from claims the pool always sets.</summary>
    private static string Craft((PoolSigner Signer, PoolSigningKey Key) signer, string? type, Dictionary<string, object> claims, string? audience) =>
        new JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = signer.Signer.Issuer, Audience = audience, Claims = claims, TokenType = type,
            IssuedAt = Now.UtcDateTime, NotBefore = Now.UtcDateTime, Expires = Now.AddHours(1).UtcDateTime,
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(signer.Key.Key, signer.Key.JwsAlgorithm),
        });

    [Fact]
    public async Task An_access_token_is_checked_against_the_issuer_it_was_presented_to_or_else_the_pools()
    {
        const string hostIssuer = "https://login.other-host.test/oidc/pool-1";
        var signer = NewSigner();
        var time = new FakeTimeProvider(Now.AddMinutes(5));
        var issued = PoolTokens.Create(signer.Signer, signer.Key, Request(["openid"]) with { Issuer = hostIssuer }, Stamp(signer.Key.KeyId));

        Assert.True((await PoolTokens.ValidateAccessTokenAsync(signer.Signer, issued.AccessToken, time, hostIssuer)).Succeeded);
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, (await PoolTokens.ValidateAccessTokenAsync(signer.Signer, issued.AccessToken, time)).Failure?.Code);
    }

    [Fact]
    public async Task An_access_token_without_client_id_names_its_audience_and_without_scope_has_none()
    {
        var signer = NewSigner();
        var time = new FakeTimeProvider(Now.AddMinutes(5));
        var claims = new Dictionary<string, object> { ["sub"] = "user-1", ["jti"] = "jti-1" };

        var byAudience = await PoolTokens.ValidateAccessTokenAsync(signer.Signer, Craft(signer, PoolTokens.AccessTokenType, claims, "app-7"), time);
        Assert.True(byAudience.Succeeded, byAudience.Failure?.Code);
        Assert.Equal("app-7", byAudience.Value!.AppId);
        Assert.Empty(byAudience.Value.Scopes);

        // The client is the one the pool named, whatever the audience says.
        var byClient = await PoolTokens.ValidateAccessTokenAsync(signer.Signer,
            Craft(signer, PoolTokens.AccessTokenType, new Dictionary<string, object>(claims) { ["client_id"] = "app-1" }, "a-resource"), time);
        Assert.Equal("app-1", byClient.Value!.AppId);

        var neither = await PoolTokens.ValidateAccessTokenAsync(signer.Signer, Craft(signer, PoolTokens.AccessTokenType, claims, null), time);
        Assert.True(neither.Succeeded, neither.Failure?.Code);
        Assert.Equal("", neither.Value!.AppId);
    }

    [Fact]
    public async Task An_access_token_without_an_expiry_is_refused()
    {
        var signer = NewSigner();
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = Issuer, Audience = "app-1", TokenType = PoolTokens.AccessTokenType,
            Claims = new Dictionary<string, object> { ["sub"] = "user-1", ["client_id"] = "app-1", ["jti"] = "jti-1" },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(signer.Key.Key, signer.Key.JwsAlgorithm),
        });
        Assert.False(new JsonWebToken(token).TryGetPayloadValue<object>("exp", out _));

        var outcome = await PoolTokens.ValidateAccessTokenAsync(signer.Signer, token, new FakeTimeProvider(Now));

        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, outcome.Failure?.Code);
    }

    [Fact]
    public async Task An_id_token_hint_reads_its_subject_and_audience_even_after_it_expired()
    {
        var signer = NewSigner();
        // Expired by the machine's clock too, which the token handler would use if it checked lifetimes.
        var longAgo = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);
        var issued = PoolTokens.Create(signer.Signer, signer.Key, Request(["openid"]), new TokenStamp("token-id-0123456789abcdef", signer.Key.KeyId, longAgo, longAgo.AddHours(1)));

        var hint = await PoolTokens.ReadIdTokenHintAsync(signer.Signer, issued.IdToken, new FakeTimeProvider(Now));

        Assert.True(hint.Succeeded, hint.Failure?.Code);
        Assert.Equal(("user-1", "app-1"), (hint.Value!.Subject, hint.Value.ClientId));
    }

    [Fact]
    public async Task An_id_token_hint_must_be_an_id_token_of_this_pool_with_an_audience()
    {
        var signer = NewSigner();
        var time = new FakeTimeProvider(Now.AddMinutes(5));
        var issued = PoolTokens.Create(signer.Signer, signer.Key, Request(["openid"]), Stamp(signer.Key.KeyId));

        Assert.Equal(TokenFailureCodes.IdTokenHintInvalid, (await PoolTokens.ReadIdTokenHintAsync(signer.Signer, issued.AccessToken, time)).Failure?.Code);
        Assert.Equal(TokenFailureCodes.IdTokenHintInvalid, (await PoolTokens.ReadIdTokenHintAsync(NewSigner().Signer, issued.IdToken, time)).Failure?.Code);
        Assert.Equal(TokenFailureCodes.IdTokenHintInvalid,
            (await PoolTokens.ReadIdTokenHintAsync(signer.Signer with { Issuer = Issuer + "-other" }, issued.IdToken, time)).Failure?.Code);
        var noAudience = Craft(signer, "JWT", new Dictionary<string, object> { ["sub"] = "user-1" }, null);
        Assert.Equal(TokenFailureCodes.IdTokenHintInvalid, (await PoolTokens.ReadIdTokenHintAsync(signer.Signer, noAudience, time)).Failure?.Code);
    }
}
