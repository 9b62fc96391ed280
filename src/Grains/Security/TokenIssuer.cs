using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ScanLogin.Grains;

/// <summary>Signs compact JWTs (HS256). Signing is deterministic, so the same facts always give the same token.</summary>
public sealed class TokenIssuer
{
    private static readonly string Header = Secrets.Base64Url(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
    private readonly byte[] _key;
    private readonly TokenOptions _options;

    public TokenIssuer(IOptions<KeyOptions> keys, IOptions<TokenOptions> options)
    {
        _options = options.Value;
        _key = keys.Value.TokenSigningKey is { Length: > 0 } configured
            ? Convert.FromBase64String(configured)
            : throw new InvalidOperationException($"{KeyOptions.Section}:TokenSigningKey is not set.");
        if (_key.Length < 32) throw new InvalidOperationException($"{KeyOptions.Section}:TokenSigningKey must be at least 32 bytes.");
    }

    public TimeSpan Lifetime => _options.Lifetime;

    public string Sign(UserProfile user, string tokenId, string audience, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = _options.Issuer,
            ["sub"] = user.Id,
            ["aud"] = audience,
            ["pool"] = user.PoolId,
            ["jti"] = tokenId,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expiresAt.ToUnixTimeSeconds(),
        });
        var signingInput = Header + "." + Secrets.Base64Url(payload);
        var signature = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Secrets.Base64Url(signature);
    }

    /// <summary>Checks the signature and expiry; returns the payload's claims, or null.</summary>
    public JsonElement? Validate(string token, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Header) return null;
        var expected = Secrets.Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1])));
        if (!Secrets.FixedTimeEquals(expected, parts[2])) return null;
        var padded = parts[1].Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        var claims = JsonDocument.Parse(Convert.FromBase64String(padded)).RootElement.Clone();
        return claims.GetProperty("exp").GetInt64() > now.ToUnixTimeSeconds() ? claims : null;
    }
}
