using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace ScanLogin.Grains.Tokens;

/// <summary>Making, storing and loading asymmetric signing keys: ES256 on P-256, RS256 on 2048-bit RSA.</summary>
public static class SigningKeyMaterial
{
    /// <summary>A new key pair: its PKCS#8 private key (to be encrypted at once) and its public JWK.</summary>
    public static (byte[] Pkcs8, PublicJsonWebKey Public) Create(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm switch
        {
            SigningAlgorithms.ES256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            SigningAlgorithms.RS256 => RSA.Create(2048),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported signing algorithm."),
        };
        var pkcs8 = key.ExportPkcs8PrivateKey();
        return (pkcs8, PublicJwk(algorithm, pkcs8));
    }

    /// <summary>The private key as a security key for signing, named by its key id.</summary>
    public static AsymmetricSecurityKey Load(string algorithm, string keyId, byte[] pkcs8)
    {
        if (algorithm == SigningAlgorithms.ES256)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return new ECDsaSecurityKey(ecdsa) { KeyId = keyId };
        }
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return new RsaSecurityKey(rsa) { KeyId = keyId };
    }

    /// <summary>The public half of a PKCS#8 key as a JWK whose kid is its RFC 7638 thumbprint.</summary>
    public static PublicJsonWebKey PublicJwk(string algorithm, byte[] pkcs8)
    {
        // Export only public parameters, so no private member can reach the JWK by accident.
        JsonWebKey jwk;
        if (algorithm == SigningAlgorithms.ES256)
        {
            using var full = ECDsa.Create();
            full.ImportPkcs8PrivateKey(pkcs8, out _);
            using var pub = ECDsa.Create(full.ExportParameters(includePrivateParameters: false));
            jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(pub));
        }
        else
        {
            using var full = RSA.Create();
            full.ImportPkcs8PrivateKey(pkcs8, out _);
            jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(full.ExportParameters(includePrivateParameters: false)));
        }
        var kid = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        return new PublicJsonWebKey(jwk.Kty, kid, algorithm, jwk.Crv, jwk.X, jwk.Y, jwk.N, jwk.E);
    }

    /// <summary>The public JWK as a verification key, as a relying party would build it from the JWKS.</summary>
    public static SecurityKey Verifier(PublicJsonWebKey key)
    {
        var jwk = new JsonWebKey { Kty = key.Kty, Kid = key.Kid, Alg = key.Alg, Use = key.Use, Crv = key.Crv, X = key.X, Y = key.Y, N = key.N, E = key.E };
        return JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var securityKey) ? securityKey
            : throw new CryptographicException($"Key {key.Kid} cannot be read back.");
    }
}
