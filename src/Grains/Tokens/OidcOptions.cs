using Microsoft.Extensions.Options;

namespace ScanLogin.Grains.Tokens;

/// <summary>How pools issue tokens (section "ScanLogin:Oidc"). Every silo must be given the same values.</summary>
public sealed class OidcOptions
{
    public const string Section = "ScanLogin:Oidc";

    /// <summary>
    /// The URL relying parties reach the front ends at; a pool's issuer is "{PublicBaseUrl}/oidc/{poolId}". The default
    /// fits the run command only: production must set it.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5000";

    /// <summary>
    /// Pools' own hosts (e.g. https://{pool}.login.example.com), read by the front ends; the silos only refuse custom domains
    /// under it. The issuer on such a host is decided by the front end's OidcIssuer.
    /// </summary>
    public string? PoolHostTemplate { get; set; }

    /// <summary>The algorithm of a pool's first key and of rotations that name none: ES256 or RS256.</summary>
    public string SigningAlgorithm { get; set; } = SigningAlgorithms.ES256;

    /// <summary>How long a new key is published before it signs, so relying parties' cached JWKS already hold it.</summary>
    public TimeSpan KeyPropagationDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long relying parties and proxies may cache the JWKS and discovery documents.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest token lifetime a pool may have (the admin API's ceiling); tokens are never issued for longer.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(1);

    /// <summary>Clock skew relying parties commonly allow, added to how long a retired key stays published.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How stale a silo's copy of a pool's keys may be. Shorter than <see cref="ClockSkew"/>, so a silo that has not yet
    /// heard of a rotation never signs with a key past the end of its publication.
    /// </summary>
    public static readonly TimeSpan SignerRefresh = TimeSpan.FromSeconds(30);

    public string IssuerOf(string poolId) => $"{PublicBaseUrl.TrimEnd('/')}/oidc/{poolId}";

    /// <summary>Why these options cannot work, or null.</summary>
    public string? Validate()
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
            return $"{Section}:PublicBaseUrl must be an absolute http(s) URL without query, fragment or credentials.";
        if (!SigningAlgorithms.IsSupported(SigningAlgorithm)) return $"{Section}:SigningAlgorithm must be ES256 or RS256.";
        if (KeyPropagationDelay < JwksCacheDuration)
            return $"{Section}:KeyPropagationDelay must be at least JwksCacheDuration, or relying parties would meet keys their cache lacks.";
        if (JwksCacheDuration < TimeSpan.Zero) return $"{Section}:JwksCacheDuration must not be negative.";
        return null;
    }
}

/// <summary>Refuses to start a silo whose token settings cannot work, naming the setting.</summary>
internal sealed class OidcOptionsValidation : IValidateOptions<OidcOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcOptions options) =>
        options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
