using System.Security.Cryptography;
using System.Text;

namespace ScanLogin.Grains.Interfaces;

/// <summary>Random identifiers and one-way hashes for the secrets tickets hand out.</summary>
public static class Secrets
{
    /// <summary>128 random bits, base64url without padding: 22 characters, URL- and WeChat-scene-safe.</summary>
    public static string NewId() => Base64Url(RandomNumberGenerator.GetBytes(16));

    /// <summary>256 random bits for secrets handed to a browser or phone.</summary>
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

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
