using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tokens;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// A pool's signing keys over time, on the fake clock: a new key is published before it signs, signs exactly when
/// the propagation delay has passed, and an old key stays published until every token it signed has expired.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class SigningKeyGrainTests(GrainClusterFixture fixture)
{
    private static readonly TimeSpan Delay = new OidcOptions().KeyPropagationDelay;
    // Fixed, so two issues of the same login carry the same auth_time even when a second passes between them.
    private static readonly DateTimeOffset AuthTime = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private async Task<string> NewPoolAsync()
    {
        var poolId = "keys-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(new UserPoolSettings(poolId, "Key pool"));
        return poolId;
    }

    private static TokenRequest Login(string poolId, string? nonce = null) =>
        new("app-1", new UserProfile("user-1", poolId, "Mei", "https://img.example/mei.png", "+8613800138000", DateTimeOffset.UnixEpoch),
            TokenRequest.QrLoginScopes, nonce, AuthTime, [TokenRequest.WeChatScanMethod], "wechat");

    private async Task<IssuedTokens> IssueAsync(string poolId, TokenStamp? reissue = null) =>
        (await fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId).IssueTokensAsync(Login(poolId), reissue)).Value!;

    private async Task<string[]> PublishedKidsAsync(string poolId) =>
        (await fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId).GetPublishedAsync())!.Keys.Select(k => k.Kid).ToArray();

    [Fact]
    public async Task A_refused_token_on_a_pool_without_keys_does_not_make_its_first_key()
    {
        var poolId = await NewPoolAsync();
        var keys = fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId);
        var refused = await fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId).ValidateAccessTokenAsync("eyJhbGciOiJFUzI1NiJ9.e30.c2ln");
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, refused.Failure?.Code);
        Assert.False(await keys.HasKeysAsync());
        // Once the pool signs, its tokens validate as before.
        var tokens = await IssueAsync(poolId);
        Assert.True(await keys.HasKeysAsync());
        Assert.NotNull((await fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId).ValidateAccessTokenAsync(tokens.AccessToken)).Value);
    }

    [Fact]
    public async Task A_pools_first_key_signs_at_once_and_verifies_with_its_published_jwk()
    {
        var poolId = await NewPoolAsync();
        var tokens = await IssueAsync(poolId);
        var published = (await fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId).GetPublishedAsync())!;
        var key = Assert.Single(published.Keys);
        Assert.Equal(("EC", "P-256", "ES256", "sig"), (key.Kty, key.Crv, key.Alg, key.Use));
        Assert.Equal($"{new OidcOptions().PublicBaseUrl}/oidc/{poolId}", published.Issuer);
        Assert.Equal(key.Kid, tokens.Stamp.KeyId);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.IdToken, new TokenValidationParameters
        {
            ValidIssuer = published.Issuer,
            ValidAudience = "app-1",
            IssuerSigningKey = SigningKeyMaterial.Verifier(key),
            ValidateLifetime = false, // the fake clock may be far ahead of the machine's
        });
        Assert.True(result.IsValid, result.Exception?.ToString());
        var status = Assert.Single((await fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId).ListAsync()).Value!);
        Assert.Equal(SigningKeyStatus.Current, status.Status);
    }

    [Fact]
    public async Task A_rotated_key_is_published_first_and_signs_only_after_the_propagation_delay()
    {
        var poolId = await NewPoolAsync();
        var keys = fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId);
        var old = await IssueAsync(poolId);
        var rotatedAt = fixture.Time.GetUtcNow();

        var rotated = (await keys.RotateAsync(SigningAlgorithms.RS256, Actor.Platform)).Value!;
        var next = rotated[0];
        Assert.Equal((SigningKeyStatus.Next, SigningAlgorithms.RS256, rotatedAt + Delay), (next.Status, next.Algorithm, next.SignsFrom));
        Assert.Equal((SigningKeyStatus.Current, (DateTimeOffset?)next.SignsFrom), (rotated[1].Status, rotated[1].SignsUntil));
        Assert.Equal([next.KeyId, old.Stamp.KeyId], await PublishedKidsAsync(poolId));
        Assert.Equal(TokenFailureCodes.RotationPending, (await keys.RotateAsync(null, Actor.Platform)).Failure!.Code);

        // One second short of the delay (and long past any silo's cached copy), the old key still signs.
        fixture.Time.Advance(Delay - TimeSpan.FromSeconds(1));
        Assert.Equal(old.Stamp.KeyId, (await IssueAsync(poolId)).Stamp.KeyId);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var fresh = await IssueAsync(poolId);
        Assert.Equal(next.KeyId, fresh.Stamp.KeyId);
        Assert.Equal("RS256", new JsonWebTokenHandler().ReadJsonWebToken(fresh.AccessToken).Alg);

        // The old key verifies until the longest token it can have signed is past (plus clock skew), then leaves the JWKS.
        var publishedUntil = next.SignsFrom + OidcOptions.MaxTokenLifetime + OidcOptions.ClockSkew;
        Assert.Equal(publishedUntil, (await keys.ListAsync()).Value!.Single(k => k.KeyId == old.Stamp.KeyId).PublishedUntil);
        fixture.Time.Advance(publishedUntil - fixture.Time.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal([next.KeyId, old.Stamp.KeyId], await PublishedKidsAsync(poolId));
        Assert.Equal(SigningKeyStatus.Retired, (await keys.ListAsync()).Value!.Single(k => k.KeyId == old.Stamp.KeyId).Status);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([next.KeyId], await PublishedKidsAsync(poolId));
        Assert.Single((await keys.ListAsync()).Value!);
        Assert.True((await keys.RotateAsync(null, Actor.Platform)).Succeeded);
    }

    [Fact]
    public async Task Access_tokens_are_checked_on_the_pools_clock_and_a_reissue_signs_the_same_claims()
    {
        var poolId = await NewPoolAsync();
        var issuer = fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId);
        var tokens = await IssueAsync(poolId);
        Assert.Equal(TimeSpan.FromHours(1), tokens.Stamp.ExpiresAt - tokens.Stamp.IssuedAt);

        var again = await IssueAsync(poolId, tokens.Stamp);
        Assert.Equal(tokens.AccessToken.Split('.')[..2], again.AccessToken.Split('.')[..2]);
        Assert.Equal(tokens.IdToken.Split('.')[..2], again.IdToken.Split('.')[..2]);

        var info = (await issuer.ValidateAccessTokenAsync(tokens.AccessToken)).Value!;
        Assert.Equal(("user-1", "app-1", tokens.Stamp.TokenId), (info.Subject, info.AppId, info.TokenId));
        Assert.Equal(TokenRequest.QrLoginScopes, info.Scopes);
        Assert.False((await issuer.ValidateAccessTokenAsync(tokens.IdToken)).Succeeded);
        Assert.False((await fixture.Grains.GetGrain<ITokenIssuerGrain>(await NewPoolAsync()).ValidateAccessTokenAsync(tokens.AccessToken)).Succeeded);
        Assert.False((await issuer.ValidateAccessTokenAsync("not.a.token")).Succeeded);

        fixture.Time.Advance(tokens.Stamp.ExpiresAt - fixture.Time.GetUtcNow());
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid, (await issuer.ValidateAccessTokenAsync(tokens.AccessToken)).Failure!.Code);
    }

    [Fact]
    public async Task Claims_follow_the_scopes_and_the_nonce()
    {
        var poolId = await NewPoolAsync();
        var issuer = fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId);
        var handler = new JsonWebTokenHandler();

        var all = handler.ReadJsonWebToken((await issuer.IssueTokensAsync(Login(poolId, nonce: "n-0S6_WzA2Mj"))).Value!.IdToken);
        Assert.Equal("n-0S6_WzA2Mj", all.GetPayloadValue<string>("nonce"));
        Assert.Equal(("Mei", "https://img.example/mei.png", "+8613800138000"),
            (all.GetPayloadValue<string>("name"), all.GetPayloadValue<string>("picture"), all.GetPayloadValue<string>("phone_number")));

        var openIdOnly = handler.ReadJsonWebToken((await issuer.IssueTokensAsync(Login(poolId) with { Scopes = ["openid"] })).Value!.IdToken);
        foreach (var claim in new[] { "name", "picture", "phone_number", "phone_number_verified", "nonce" })
            Assert.False(openIdOnly.TryGetPayloadValue<object>(claim, out _), claim);
        Assert.Equal("wechat", openIdOnly.GetPayloadValue<string>("identity_source"));

        // A pool signs only for its own users, and an unknown pool signs nothing.
        Assert.Equal(FailureCodes.UserPoolNotFound, (await issuer.IssueTokensAsync(Login("another-pool"))).Failure!.Code);
        Assert.Equal(FailureCodes.UserPoolNotFound,
            (await fixture.Grains.GetGrain<ITokenIssuerGrain>("no-such-pool").IssueTokensAsync(Login("no-such-pool"))).Failure!.Code);
        Assert.Null(await fixture.Grains.GetGrain<IPoolSigningKeysGrain>("no-such-pool").GetPublishedAsync());
    }

    [Fact]
    public async Task A_pool_deleted_and_made_again_under_the_same_id_gets_new_keys()
    {
        var poolId = await NewPoolAsync();
        var before = await PublishedKidsAsync(poolId);
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        Assert.True((await pool.DeleteAsync(null, Actor.Platform)).Succeeded);
        Assert.Null(await fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId).GetPublishedAsync());

        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        await pool.SaveSettingsAsync(new UserPoolSettings(poolId, "Someone else's pool"));
        var after = await PublishedKidsAsync(poolId);
        Assert.Single(after);
        Assert.DoesNotContain(after[0], before);
    }
}
