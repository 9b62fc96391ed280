namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// Issues and checks a pool's tokens (keyed by pool id). A stateless worker: every silo signs locally with the
/// pool's keys, so issuing never queues behind one activation. The ticket exchange uses it, and so can any other
/// login front door of the pool (an OpenID Connect token endpoint, a userinfo endpoint).
/// </summary>
[Alias("ScanLogin.ITokenIssuerGrain")]
public interface ITokenIssuerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Signs an ID token and an access token for a login. With <paramref name="reissue"/> (the stamp of an earlier
    /// answer) the very same claims and key id are signed again, so a retried request gets equivalent tokens.
    /// </summary>
    [Alias("IssueTokens")]
    Task<Outcome<IssuedTokens>> IssueTokensAsync(TokenRequest request, TokenStamp? reissue = null);

    /// <summary>
    /// Checks an access token of this pool: signature by a published key, issuer, type and expiry. The issuer is
    /// <paramref name="issuer"/> when the token is presented on the pool's own host, else the pool's path-form issuer.
    /// </summary>
    [Alias("ValidateAccessToken")]
    Task<Outcome<AccessTokenInfo>> ValidateAccessTokenAsync(string accessToken, string? issuer = null);

    /// <summary>Checks an ID token of this pool (signature by a published key, issuer, type) whatever its expiry: logout's id_token_hint.</summary>
    [Alias("ReadIdTokenHint")]
    Task<Outcome<IdTokenHint>> ReadIdTokenHintAsync(string idToken);
}

/// <summary>Who an id_token_hint names: its subject and the application (audience) it was issued to.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.IdTokenHint")]
public sealed record IdTokenHint([property: Id(0)] string Subject, [property: Id(1)] string ClientId);

/// <summary>
/// A login to put into tokens. <see cref="Scopes"/> decide which profile claims appear (openid, profile: name and
/// picture; phone: phone_number and phone_number_verified); <see cref="AuthenticationMethods"/> becomes amr. <see cref="Issuer"/>
/// is the pool's own host's issuer when the login went through it (the front end's OidcIssuer decides), else the path form's.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TokenRequest")]
public sealed record TokenRequest(
    [property: Id(0)] string AppId,
    [property: Id(1)] UserProfile User,
    [property: Id(2)] string[] Scopes,
    [property: Id(3)] string? Nonce,
    [property: Id(4)] DateTimeOffset AuthTime,
    [property: Id(5)] string[] AuthenticationMethods,
    [property: Id(6)] string IdentitySource,
    [property: Id(7)] string? Issuer = null)
{
    public override string ToString() => $"TokenRequest {{ AppId = {AppId}, User = {User}, IdentitySource = {IdentitySource}, Nonce = {Nonce is not null} }}";

    /// <summary>What a QR login shares: the user approved on the phone, and chose there what to share.</summary>
    public static readonly string[] QrLoginScopes = ["openid", "profile", "phone"];

    /// <summary>amr of a login approved in the WeChat mini program after scanning the PC's code.</summary>
    public const string WeChatScanMethod = "wechat_scan";
}

/// <summary>The facts that make a token pair: token id (access token jti), key, issue and expiry instants.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.TokenStamp")]
public sealed record TokenStamp(
    [property: Id(0)] string TokenId,
    [property: Id(1)] string KeyId,
    [property: Id(2)] DateTimeOffset IssuedAt,
    [property: Id(3)] DateTimeOffset ExpiresAt);

[GenerateSerializer, Immutable, Alias("ScanLogin.IssuedTokens")]
public sealed record IssuedTokens(
    [property: Id(0)] string IdToken,
    [property: Id(1)] string AccessToken,
    [property: Id(2)] TokenStamp Stamp)
{
    public override string ToString() => $"IssuedTokens {{ {Stamp.TokenId}, kid {Stamp.KeyId}, expires {Stamp.ExpiresAt:O} }}";
}

/// <summary>What a valid access token says: whose it is, for which application, with which scopes, until when.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AccessTokenInfo")]
public sealed record AccessTokenInfo(
    [property: Id(0)] string Subject,
    [property: Id(1)] string AppId,
    [property: Id(2)] string[] Scopes,
    [property: Id(3)] string TokenId,
    [property: Id(4)] DateTimeOffset ExpiresAt);

/// <summary>Failure codes of token issuing and checking.</summary>
public static class TokenFailureCodes
{
    public const string AccessTokenInvalid = "access_token_invalid";
    public const string IdTokenHintInvalid = "id_token_hint_invalid";
    public const string RotationPending = "signing_key_rotation_pending";
    public const string AlgorithmUnsupported = "signing_algorithm_unsupported";
}
