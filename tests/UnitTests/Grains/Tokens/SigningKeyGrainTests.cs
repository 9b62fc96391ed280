using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains;
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

    private async Task<(string Action, string Actor, string KeyId)[]> KeyAuditAsync(string poolId) =>
        (await fixture.Grains.GetGrain<ICatalogGrain>(0).ListAuditAsync(poolId, null, 100)).Items
        .Where(e => e.ResourceType == "signing_key").Select(e => (e.Action, e.Actor, e.ResourceId)).ToArray();

    [Fact]
    public async Task A_reissue_signs_with_its_stamps_key_while_the_pool_has_it_and_otherwise_with_the_current_key()
    {
        var poolId = await NewPoolAsync();
        var old = await IssueAsync(poolId);
        var next = (await fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId).RotateAsync(null, Actor.Platform)).Value![0];
        fixture.Time.Advance(Delay);
        Assert.Equal(next.KeyId, (await IssueAsync(poolId)).Stamp.KeyId);

        var again = await IssueAsync(poolId, old.Stamp);
        Assert.Equal(old.Stamp.KeyId, again.Stamp.KeyId);
        Assert.Equal(old.Stamp.KeyId, new JsonWebTokenHandler().ReadJsonWebToken(again.IdToken).Kid);
        var unknown = await IssueAsync(poolId, old.Stamp with { KeyId = "a-key-the-pool-no-longer-has" });
        Assert.Equal(next.KeyId, unknown.Stamp.KeyId);
        Assert.Equal(next.KeyId, new JsonWebTokenHandler().ReadJsonWebToken(unknown.AccessToken).Kid);
    }

    [Fact]
    public async Task A_pools_token_lifetime_is_capped_at_a_day()
    {
        var poolId = "keys-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(
            new UserPoolSettings(poolId, "Long pool", TokenLifetimeSeconds: (int)TimeSpan.FromDays(2).TotalSeconds));

        var stamp = (await IssueAsync(poolId)).Stamp;

        Assert.Equal(OidcOptions.MaxTokenLifetime, stamp.ExpiresAt - stamp.IssuedAt);
    }

    [Fact]
    public async Task An_id_token_hint_on_a_pool_without_keys_makes_no_key_and_one_of_its_tokens_reads_back()
    {
        var poolId = await NewPoolAsync();
        var keys = fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId);
        var issuer = fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId);
        Assert.Equal(TokenFailureCodes.IdTokenHintInvalid, (await issuer.ReadIdTokenHintAsync("eyJhbGciOiJFUzI1NiJ9.e30.c2ln")).Failure?.Code);
        Assert.False(await keys.HasKeysAsync());

        var tokens = await IssueAsync(poolId);
        var hint = (await issuer.ReadIdTokenHintAsync(tokens.IdToken)).Value!;
        Assert.Equal(("user-1", "app-1"), (hint.Subject, hint.ClientId));
    }

    [Fact]
    public async Task A_pool_with_keys_this_silo_has_not_loaded_checks_a_hint_with_them()
    {
        var poolId = await NewPoolAsync();
        // The key grain makes the first key; this silo's signers have not loaded it.
        Assert.NotNull(await fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId).GetPublishedAsync());
        var signers = fixture.SiloService<PoolSigners>();
        Assert.False(signers.IsLoaded(poolId));

        Assert.Equal(TokenFailureCodes.IdTokenHintInvalid,
            (await fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId).ReadIdTokenHintAsync("eyJhbGciOiJFUzI1NiJ9.e30.c2ln")).Failure?.Code);
        Assert.True(signers.IsLoaded(poolId));
    }

    [Fact]
    public async Task A_silo_keeps_a_pools_signer_for_the_refresh_period_then_loads_it_again_and_forgets_no_pool()
    {
        var poolId = await NewPoolAsync();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(fixture.Time.GetUtcNow());
        var signers = new PoolSigners(fixture.Grains, fixture.SiloService<SecretProtector>(), new ProductClock(time));

        var first = (await signers.GetAsync(poolId))!;
        Assert.Same(first, await signers.GetAsync(poolId));
        time.Advance(OidcOptions.SignerRefresh - TimeSpan.FromTicks(1));
        Assert.Same(first, await signers.GetAsync(poolId));
        time.Advance(TimeSpan.FromTicks(1));
        var refreshed = (await signers.GetAsync(poolId))!;
        Assert.NotSame(first, refreshed);
        Assert.Equal(time.GetUtcNow(), refreshed.LoadedAt);
        // The key objects already loaded are kept.
        Assert.Same(first.Keys[0].Key, refreshed.Keys[0].Key);

        Assert.Null(await signers.GetAsync("no-such-pool-" + Guid.NewGuid().ToString("N")[..6]));
    }

    [Fact]
    public async Task Rotating_retires_only_the_signing_key_and_audits_the_rotation_and_each_new_key()
    {
        var poolId = await NewPoolAsync();
        var keys = fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId);
        var first = (await IssueAsync(poolId)).Stamp.KeyId;
        var second = (await keys.RotateAsync(null, Actor.Platform)).Value![0].KeyId;
        fixture.Time.Advance(Delay);
        var third = (await keys.RotateAsync(null, Actor.Platform)).Value![0].KeyId;

        // The first key, retired by the first rotation, is still published (its tokens may live) and unchanged.
        var listed = (await keys.ListAsync()).Value!;
        Assert.Equal([third, second, first], listed.Select(k => k.KeyId));
        Assert.Equal(SigningKeyStatus.Retired, listed[2].Status);
        Assert.Equal(listed[1].SignsFrom, listed[2].SignsUntil);
        Assert.Equal(listed[0].SignsFrom, listed[1].SignsUntil);
        Assert.Equal([third, second, first], await PublishedKidsAsync(poolId));

        Assert.Equal([("create", Actor.System.ToString(), first), ("rotate", Actor.Platform.ToString(), first), ("create", Actor.Platform.ToString(), second),
            ("rotate", Actor.Platform.ToString(), second), ("create", Actor.Platform.ToString(), third)], await KeyAuditAsync(poolId));
    }

    [Fact]
    public async Task A_key_already_bound_to_its_record_is_not_encrypted_again_at_each_read()
    {
        var poolId = await NewPoolAsync();
        var keys = fixture.Grains.GetGrain<IPoolSigningKeysGrain>(poolId);
        var once = (await keys.GetKeySetAsync())!.Keys.Single().ProtectedPrivateKey;
        Assert.Equal(once, (await keys.GetKeySetAsync())!.Keys.Single().ProtectedPrivateKey);
    }
}
