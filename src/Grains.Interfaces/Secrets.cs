using System.Security.Cryptography;
using System.Text;

namespace ScanLogin.Grains.Interfaces;

/// <summary>Random identifiers and one-way hashes for the secrets tickets hand out.</summary>
public static class Secrets
{
    /// <summary>128 random bits, base64url without padding: 22 characters, URL- and WeChat-scene-safe.</summary>
    public static string NewId() => RandomBase64Url(16);

    /// <summary>256 random bits for secrets handed to a browser or phone.</summary>
    public static string NewSecret() => RandomBase64Url(32);

    /// <summary>
    /// Random bytes from the operating system's CSPRNG, drawn a page at a time into a buffer of this thread: one call into
    /// the crypto library per 4 KiB instead of one per id (each call takes its locks, so per id it cost more than the
    /// bytes). Bytes handed out are erased from the buffer; a thread's buffer is never shared.
    /// </summary>
    [ThreadStatic] private static byte[]? t_random;
    [ThreadStatic] private static int t_used;

    private static string RandomBase64Url(int count)
    {
        var buffer = t_random ??= new byte[4096];
        if (t_used == 0 || t_used + count > buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            t_used = 0;
        }
        var bytes = buffer.AsSpan(t_used, count);
        t_used += count;
        var text = System.Buffers.Text.Base64Url.EncodeToString(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return text;
    }

    /// <summary>SHA-256 of a purpose-tagged value, so a hash stored for one purpose is useless for another.</summary>
    public static string Hash(string purpose, string value) =>
        Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(purpose + ":" + value)));

    /// <summary>How a ticket stores the secret its creating browser must show to exchange it.</summary>
    public static string HashBrowserSecret(string secret) => Hash("browser-secret", secret);

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    /// <summary>True for a value shaped like <see cref="NewId"/>: exactly 22 base64url characters.</summary>
    public static bool IsWellFormedId(string? value) =>
        value is { Length: 22 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
