using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Tokens;

/// <summary>Signs and checks a pool's tokens on whichever silo is asked, with that silo's copy of the pool's keys.</summary>
[StatelessWorker]
public sealed class TokenIssuerGrain(PoolSigners signers, ProductClock clock) : Grain, ITokenIssuerGrain
{
    private string PoolId => this.GetPrimaryKeyString();

    async Task<Outcome<IssuedTokens>> ITokenIssuerGrain.IssueTokensAsync(TokenRequest request, TokenStamp? reissue)
    {
        if (request.User.PoolId != PoolId)
            return new Failure(FailureCodes.UserPoolNotFound, $"User {request.User.Id} is not a user of pool {PoolId}.");
        if (await signers.GetAsync(PoolId) is not { } signer) return PoolNotFound();

        if (reissue is not null)
        {
            // The stamp's key signs again while the pool still has it; otherwise the current key signs the same claims.
            var again = signer.Find(reissue.KeyId) ?? signer.SigningKeyAt(clock.Now);
            return PoolTokens.Create(signer, again, request, reissue with { KeyId = again.KeyId });
        }

        var now = clock.Now;
        var key = signer.SigningKeyAt(now);
        var lifetime = signer.TokenLifetime < OidcOptions.MaxTokenLifetime ? signer.TokenLifetime : OidcOptions.MaxTokenLifetime;
        return PoolTokens.Create(signer, key, request, new TokenStamp(Secrets.NewId(), key.KeyId, now, now + lifetime));
    }

    async Task<Outcome<AccessTokenInfo>> ITokenIssuerGrain.ValidateAccessTokenAsync(string accessToken, string? issuer)
    {
        // A pool without keys signed nothing: refuse without making its first key (loading the signer would).
        if (!signers.IsLoaded(PoolId) && !await GrainFactory.GetGrain<IPoolSigningKeysGrain>(PoolId).HasKeysAsync())
            return new Failure(TokenFailureCodes.AccessTokenInvalid, "The access token is not valid for this pool.");
        if (await signers.GetAsync(PoolId) is not { } signer) return PoolNotFound();
        return await PoolTokens.ValidateAccessTokenAsync(signer, accessToken, clock.Time, issuer);
    }

    async Task<Outcome<IdTokenHint>> ITokenIssuerGrain.ReadIdTokenHintAsync(string idToken)
    {
        if (!signers.IsLoaded(PoolId) && !await GrainFactory.GetGrain<IPoolSigningKeysGrain>(PoolId).HasKeysAsync())
            return new Failure(TokenFailureCodes.IdTokenHintInvalid, "The ID token is not one of this pool's.");
        if (await signers.GetAsync(PoolId) is not { } signer) return PoolNotFound();
        return await PoolTokens.ReadIdTokenHintAsync(signer, idToken, clock.Time);
    }

    private Failure PoolNotFound() => new(FailureCodes.UserPoolNotFound, $"User pool {PoolId} does not exist.");
}
