using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ScanLogin.Grains;

/// <summary>Encrypts secrets for storage with AES-256-GCM; the version prefix leaves room for key rotation.</summary>
public sealed class SecretProtector
{
    private const string Version = "v1";
    private readonly byte[] _key;

    public SecretProtector(IOptions<KeyOptions> keys)
    {
        _key = keys.Value.SecretEncryptionKey is { Length: > 0 } configured
            ? Convert.FromBase64String(configured)
            : throw new InvalidOperationException($"{KeyOptions.Section}:SecretEncryptionKey is not set.");
        if (_key.Length != 32) throw new InvalidOperationException($"{KeyOptions.Section}:SecretEncryptionKey must be 32 bytes.");
    }

    public string Protect(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, Encoding.ASCII.GetBytes(Version));
        return $"{Version}.{Convert.ToBase64String(nonce)}.{Convert.ToBase64String(cipher)}.{Convert.ToBase64String(tag)}";
    }

    public string Unprotect(string protectedSecret)
    {
        var parts = protectedSecret.Split('.');
        if (parts.Length != 4 || parts[0] != Version) throw new CryptographicException("Unknown secret format.");
        var nonce = Convert.FromBase64String(parts[1]);
        var cipher = Convert.FromBase64String(parts[2]);
        var tag = Convert.FromBase64String(parts[3]);
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Decrypt(nonce, cipher, tag, plain, Encoding.ASCII.GetBytes(Version));
        return Encoding.UTF8.GetString(plain);
    }
}
