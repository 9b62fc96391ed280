using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ScanLogin.Grains.Tokens;

/// <summary>
/// What a pool's tokens say, built and checked with Microsoft.IdentityModel. The ID token follows OpenID Connect Core
/// (typ JWT); the access token follows RFC 9068 (typ at+jwt), so neither can be passed off as the other.
/// </summary>
public static class PoolTokens
{
    public const string AccessTokenType = "at+jwt";
    public const string IdentitySourceClaim = "identity_source";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static IssuedTokens Create(PoolSigner signer, PoolSigningKey key, TokenRequest request, TokenStamp stamp)
    {
        var credentials = new SigningCredentials(key.Key, key.JwsAlgorithm);
        var scopes = request.Scopes.Distinct(StringComparer.Ordinal).ToArray();
        var user = request.User;

        var idClaims = CommonClaims(request, stamp);
        // The ID token has its own id: the access token's jti names the grant a retry reproduces.
        idClaims[JwtRegisteredClaimNames.Jti] = Secrets.Hash("id-token", stamp.TokenId)[..22];
        if (request.Nonce is { Length: > 0 } nonce) idClaims[JwtRegisteredClaimNames.Nonce] = nonce;
        if (scopes.Contains("profile"))
        {
            if (user.Nickname is { Length: > 0 } name) idClaims["name"] = name;
            if (user.AvatarUrl is { Length: > 0 } picture) idClaims["picture"] = picture;
        }
        if (scopes.Contains("phone") && user.Phone is { Length: > 0 } phone)
        {
            idClaims[JwtRegisteredClaimNames.PhoneNumber] = phone;
            // A pool learns phone numbers only from WeChat's phone-number API, which hands out verified numbers.
            idClaims[JwtRegisteredClaimNames.PhoneNumberVerified] = true;
        }

        var accessClaims = CommonClaims(request, stamp);
        accessClaims[JwtRegisteredClaimNames.Jti] = stamp.TokenId;
        accessClaims["client_id"] = request.AppId;
        accessClaims["scope"] = string.Join(' ', scopes);

        var idToken = Handler.CreateToken(Descriptor(signer, request, stamp, credentials, idClaims, null));
        var accessToken = Handler.CreateToken(Descriptor(signer, request, stamp, credentials, accessClaims, AccessTokenType));
        return new IssuedTokens(idToken, accessToken, stamp);
    }

    /// <summary>Checks an access token against the pool's published keys, at the given instant, for the issuer it is presented to.</summary>
    public static async Task<Outcome<AccessTokenInfo>> ValidateAccessTokenAsync(PoolSigner signer, string token, TimeProvider time, string? issuer = null)
    {
        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer ?? signer.Issuer,
            // Any application of the pool may call the pool's own endpoints (userinfo) with its token.
            ValidateAudience = false,
            IssuerSigningKeys = signer.VerifyingKeysAt(time.GetUtcNow()).ToArray(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
            ValidTypes = [AccessTokenType],
            RequireExpirationTime = true,
            // The pool's clock decides, not the machine's: token times come from it too.
            LifetimeValidator = (_, expires, _, _) => expires is { } exp && new DateTimeOffset(exp, TimeSpan.Zero) > time.GetUtcNow(),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return new Failure(TokenFailureCodes.AccessTokenInvalid, "The access token is not valid for this pool.");
        var scope = jwt.TryGetPayloadValue<string>("scope", out var s) ? s : "";
        var appId = jwt.TryGetPayloadValue<string>("client_id", out var c) ? c : jwt.Audiences.FirstOrDefault() ?? "";
        return new AccessTokenInfo(jwt.Subject, appId, scope.Split(' ', StringSplitOptions.RemoveEmptyEntries), jwt.Id,
            new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    /// <summary>An ID token this pool signed, read for logout: signature, issuer and type are checked; expiry is not (OpenID
    /// Connect RP-Initiated Logout 1.0 2: the hint may have expired).</summary>
    public static async Task<Outcome<IdTokenHint>> ReadIdTokenHintAsync(PoolSigner signer, string token, TimeProvider time)
    {
        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = signer.Issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKeys = signer.VerifyingKeysAt(time.GetUtcNow()).ToArray(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
            ValidTypes = ["JWT"],
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || jwt.Audiences.FirstOrDefault() is not { } audience)
            return new Failure(TokenFailureCodes.IdTokenHintInvalid, "The ID token is not one of this pool's.");
        return new IdTokenHint(jwt.Subject, audience);
    }

    private static Dictionary<string, object> CommonClaims(TokenRequest request, TokenStamp stamp) => new()
    {
        [JwtRegisteredClaimNames.Sub] = request.User.Id,
        [JwtRegisteredClaimNames.AuthTime] = request.AuthTime.ToUnixTimeSeconds(),
        [JwtRegisteredClaimNames.Amr] = request.AuthenticationMethods,
        [IdentitySourceClaim] = request.IdentitySource,
    };

    private static SecurityTokenDescriptor Descriptor(PoolSigner signer, TokenRequest request, TokenStamp stamp,
        SigningCredentials credentials, Dictionary<string, object> claims, string? type) => new()
    {
        Issuer = request.Issuer ?? signer.Issuer,
        Audience = request.AppId,
        IssuedAt = stamp.IssuedAt.UtcDateTime,
        Expires = stamp.ExpiresAt.UtcDateTime,
        Claims = claims,
        SigningCredentials = credentials,
        TokenType = type,
    };
}
