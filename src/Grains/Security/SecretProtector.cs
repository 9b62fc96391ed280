using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ScanLogin.Grains;

/// <summary>
/// Encrypts secrets for storage with a versioned key ring: AES-256-GCM data keys, each wrapped by the master key
/// from configuration and kept in the project's storage. New secrets use the newest key; every older key still
/// decrypts what it encrypted. Rotation adds a key; other silos pick it up within a minute, or at once when they
/// meet a secret made with it.
/// </summary>
public sealed class SecretProtector
{
    private static readonly TimeSpan ReloadAfter = TimeSpan.FromMinutes(1);
    private readonly byte[] _masterKey;
    private readonly ISecretKeyStore _store;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Ring _ring = new(new Dictionary<int, byte[]>(), 0, DateTimeOffset.MinValue);

    public SecretProtector(IOptions<KeyOptions> keys, ISecretKeyStore store, TimeProvider time)
    {
        _masterKey = keys.Value.SecretEncryptionKey is { Length: > 0 } configured
            ? Convert.FromBase64String(configured)
            : throw new InvalidOperationException($"{KeyOptions.Section}:SecretEncryptionKey is not set.");
        if (_masterKey.Length != 32) throw new InvalidOperationException($"{KeyOptions.Section}:SecretEncryptionKey must be 32 bytes.");
        (_store, _time) = (store, time);
    }

    /// <summary>
    /// Format: "v3.{keyId}.{nonce}.{ciphertext}.{tag}" (base64 parts). The associated data names the key and the record
    /// and field the secret belongs to, so a ciphertext copied into another record or field does not decrypt.
    /// </summary>
    public async Task<string> ProtectAsync(string secret, SecretContext context)
    {
        var ring = await CurrentAsync();
        if (ring.CurrentId == 0) ring = await RotateCoreAsync();
        var (nonce, cipher, tag) = Encrypt(ring.Keys[ring.CurrentId], Encoding.UTF8.GetBytes(secret), BoundData(ring.CurrentId, context));
        return $"v3.{ring.CurrentId}.{Convert.ToBase64String(nonce)}.{Convert.ToBase64String(cipher)}.{Convert.ToBase64String(tag)}";
    }

    /// <summary>
    /// Decrypts a secret of the record and field <paramref name="context"/> names. Older formats (v1, v2) were bound to
    /// no record and still decrypt; their owners rewrite them (see <see cref="IsBoundToItsRecord"/>).
    /// </summary>
    public async Task<string> UnprotectAsync(string protectedSecret, SecretContext context)
    {
        var parts = protectedSecret.Split('.');
        if (parts is ["v1", _, _, _]) return Encoding.UTF8.GetString(Decrypt(_masterKey, parts[1], parts[2], parts[3], "v1"u8.ToArray()));
        if (parts is not [("v2" or "v3") and var version, var id, _, _, _] || !int.TryParse(id, out var keyId)) throw new CryptographicException("Unknown secret format.");
        var ring = await CurrentAsync();
        if (!ring.Keys.ContainsKey(keyId)) ring = await LoadAsync(); // made by a key another silo just added
        if (!ring.Keys.TryGetValue(keyId, out var key)) throw new CryptographicException($"Key {keyId} is not in the key ring.");
        var aad = version == "v3" ? BoundData(keyId, context) : Encoding.ASCII.GetBytes($"v2.{keyId}");
        return Encoding.UTF8.GetString(Decrypt(key, parts[2], parts[3], parts[4], aad));
    }

    /// <summary>False for ciphertexts of the older formats, bound to no record: read them, then store them again.</summary>
    public static bool IsBoundToItsRecord(string protectedSecret) => protectedSecret.StartsWith("v3.", StringComparison.Ordinal);

    /// <summary>What v2 wrote (bound to its key only): kept so tests can make the ciphertexts a migration meets.</summary>
    internal async Task<string> ProtectUnboundAsync(string secret)
    {
        var ring = await CurrentAsync();
        if (ring.CurrentId == 0) ring = await RotateCoreAsync();
        var (nonce, cipher, tag) = Encrypt(ring.Keys[ring.CurrentId], Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"v2.{ring.CurrentId}"));
        return $"v2.{ring.CurrentId}.{Convert.ToBase64String(nonce)}.{Convert.ToBase64String(cipher)}.{Convert.ToBase64String(tag)}";
    }

    private static byte[] BoundData(int keyId, SecretContext context) => Encoding.UTF8.GetBytes($"v3.{keyId}.{context}");

    /// <summary>
    /// Loads the key ring now. A master key that cannot unwrap the stored keys (the setting changed while the database
    /// stayed) stops the silo here, naming the setting, instead of failing every login that needs a secret.
    /// </summary>
    public async Task EnsureKeyRingReadableAsync()
    {
        try
        {
            await LoadAsync();
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{KeyOptions.Section}:SecretEncryptionKey cannot unwrap the key ring stored in the database " +
                "(it is not the key the ring was made with). Set it back to that key; every stored secret depends on it.", e);
        }
    }

    /// <summary>Adds a new key and makes it current; returns its id.</summary>
    public async Task<int> RotateAsync() => (await RotateCoreAsync()).CurrentId;

    public async Task<(int CurrentKeyId, int KeyCount)> StatusAsync()
    {
        var ring = await LoadAsync();
        return (ring.CurrentId, ring.Keys.Count);
    }

    private async Task<Ring> RotateCoreAsync()
    {
        while (true)
        {
            var ring = await LoadAsync();
            var id = ring.CurrentId + 1;
            var key = RandomNumberGenerator.GetBytes(32);
            var (nonce, cipher, tag) = Encrypt(_masterKey, key, Encoding.ASCII.GetBytes($"key.{id}"));
            if (await _store.TryAddAsync(id, [.. nonce, .. tag, .. cipher])) return await LoadAsync();
        }
    }

    private async Task<Ring> CurrentAsync()
    {
        var ring = _ring;
        return _time.GetUtcNow() - ring.LoadedAt < ReloadAfter ? ring : await LoadAsync();
    }

    private async Task<Ring> LoadAsync()
    {
        await _loading.WaitAsync();
        try
        {
            var keys = new Dictionary<int, byte[]>();
            foreach (var (id, wrapped) in await _store.LoadAsync())
            {
                var (nonce, tag, cipher) = (wrapped[..12], wrapped[12..28], wrapped[28..]);
                var key = new byte[cipher.Length];
                using var aes = new AesGcm(_masterKey, 16);
                aes.Decrypt(nonce, cipher, tag, key, Encoding.ASCII.GetBytes($"key.{id}"));
                keys[id] = key;
            }
            return _ring = new Ring(keys, keys.Count == 0 ? 0 : keys.Keys.Max(), _time.GetUtcNow());
        }
        finally
        {
            _loading.Release();
        }
    }

    private static (byte[] Nonce, byte[] Cipher, byte[] Tag) Encrypt(byte[] key, byte[] plain, byte[] aad)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(key, tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, aad);
        return (nonce, cipher, tag);
    }

    private static byte[] Decrypt(byte[] key, string nonce, string cipher, string tag, byte[] aad)
    {
        var (n, c, t) = (Convert.FromBase64String(nonce), Convert.FromBase64String(cipher), Convert.FromBase64String(tag));
        var plain = new byte[c.Length];
        using var aes = new AesGcm(key, t.Length);
        aes.Decrypt(n, c, t, plain, aad);
        return plain;
    }

    private sealed record Ring(IReadOnlyDictionary<int, byte[]> Keys, int CurrentId, DateTimeOffset LoadedAt);
}
