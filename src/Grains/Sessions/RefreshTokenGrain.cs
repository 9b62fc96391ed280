using Microsoft.Extensions.Options;
using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Sessions;

/// <summary>
/// One refresh-token family (<see cref="IRefreshTokenGrain"/>). Its rules are <see cref="SessionRules.Judge"/>; every change
/// is a compare-and-set on the stored family, so of two racing uses of one token only one rotates and the other, finding it
/// spent, revokes the family, as any reuse does. Activations keep nothing between calls.
/// </summary>
public sealed class RefreshTokenGrain(ISessionStore<RefreshFamily> families, ProductClock clock, IOptions<SessionOptions> options)
    : Grain, IRefreshTokenGrain
{
    private const string TokenPurpose = "refresh-token";

    private string FamilyId => this.GetPrimaryKeyString();

    async Task<Outcome<string>> IRefreshTokenGrain.StartAsync(RefreshFamilyStart start)
    {
        DeactivateOnIdle();
        var token = NewToken();
        var family = new RefreshFamily
        {
            PoolId = start.PoolId, ClientId = start.ClientId, UserId = start.UserId, Scopes = start.Scopes, AuthTime = start.AuthTime,
            IdentitySource = start.IdentitySource, AuthenticationMethods = start.AuthenticationMethods, CurrentHash = HashOf(token),
            ExpiresAt = clock.Now + options.Value.RefreshTokenLifetime, Version = 1, ClientAuthenticated = start.ClientAuthenticated,
        };
        if (!await families.WriteAsync(FamilyId, family, 0, family.ExpiresAt))
            return new Failure(RefreshFailures.Invalid, "This refresh-token family already exists.");
        await families.IndexAsync(start.PoolId, start.UserId, FamilyId, family.ExpiresAt);
        return token;
    }

    async Task<Outcome<RefreshRotated>> IRefreshTokenGrain.RotateAsync(RefreshUse use)
    {
        DeactivateOnIdle();
        var invalid = new Failure(RefreshFailures.Invalid, "The refresh token is invalid, expired or revoked.");
        var family = await families.ReadAsync(FamilyId);
        switch (SessionRules.Judge(family, HashOf(use.Token), use.ClientId, use.ClientAuthenticated, clock.Now))
        {
            case SessionRules.RefreshVerdict.Invalid: return invalid;
            case SessionRules.RefreshVerdict.Unauthenticated:
                return new Failure(RefreshFailures.ClientUnauthenticated, "This refresh token's client must authenticate with its secret.");
            case SessionRules.RefreshVerdict.OtherClient: return new Failure(RefreshFailures.OtherClient, "The refresh token was issued to another client.");
            case SessionRules.RefreshVerdict.Reused:
                await families.DeleteAsync(FamilyId);
                return new Failure(RefreshFailures.Reused, "The refresh token was already used: every token of its grant is revoked.");
        }
        if (SessionRules.Narrow(family!.Scopes, use.Scopes) is not { } scopes)
            return new Failure(RefreshFailures.ScopeWidened, "scope may only name scopes of the original grant.");
        var pool = GrainFactory.GetGrain<IUserPoolGrain>(family.PoolId);
        if (await pool.GetUserRecordAsync(family.UserId) is not { Blocked: false } || await pool.GetUserAsync(family.UserId) is not { } user)
        {
            await families.DeleteAsync(FamilyId);
            return new Failure(RefreshFailures.UserUnavailable, "The user is blocked or deleted.");
        }
        var next = NewToken();
        var expected = family.Version++;
        SessionRules.Rotate(family, HashOf(next), options.Value.SpentTokensKept);
        // Lost the race to another use of the same token: that one rotated, so this one is a reuse.
        if (!await families.WriteAsync(FamilyId, family, expected, family.ExpiresAt))
        {
            await families.DeleteAsync(FamilyId);
            return new Failure(RefreshFailures.Reused, "The refresh token was already used: every token of its grant is revoked.");
        }
        return new RefreshRotated(next, user, scopes, family.AuthTime, family.IdentitySource, family.AuthenticationMethods);
    }

    async Task<bool> IRefreshTokenGrain.RevokeAsync(RefreshUse use)
    {
        DeactivateOnIdle();
        var family = await families.ReadAsync(FamilyId);
        var verdict = SessionRules.Judge(family, HashOf(use.Token), use.ClientId, use.ClientAuthenticated, clock.Now);
        // A spent token of the family revokes it too (its holder wants it gone); another client's token is not this client's to end.
        return verdict is SessionRules.RefreshVerdict.Rotate or SessionRules.RefreshVerdict.Reused && family!.ClientId == use.ClientId
            && await families.DeleteAsync(FamilyId);
    }

    private string NewToken() => $"{FamilyId}.{Secrets.NewSecret()}";

    private static string HashOf(string token) => Secrets.Hash(TokenPurpose, token);
}
