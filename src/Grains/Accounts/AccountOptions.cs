using Microsoft.AspNetCore.Identity;

namespace ScanLogin.Grains.Accounts;

/// <summary>Account limits (section "ScanLogin:Accounts").</summary>
public sealed class AccountOptions
{
    public const string Section = "ScanLogin:Accounts";

    /// <summary>Wrong binding passwords from one WeChat identity for one account before that identity is refused for it (others are not).</summary>
    public int FailuresBeforeLock { get; set; } = 5;

    /// <summary>How long such an identity is refused for that account.</summary>
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Most requests one account batch decides together; the rest wait for the next one.</summary>
    public int MaxBatchSize { get; set; } = 500;
}

/// <summary>
/// Passwords, with ASP.NET Core Identity's PasswordHasher (PBKDF2-HMAC-SHA512, 100,000 iterations, salted, versioned
/// format). A check against no account still spends the same work on a decoy hash, so timing does not tell which accounts exist.
/// </summary>
public sealed class PasswordHashing
{
    private static readonly PasswordHasher<StoredUser> Hasher = new();
    private readonly string _decoy = Hasher.HashPassword(null!, Secrets.NewSecret());
    private long _verifications;

    /// <summary>How many passwords were checked (each one a full hash), so tests can see that every answer did the same work.</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    public string Hash(string password) => Hasher.HashPassword(null!, password);

    public bool Verify(string? hash, string password)
    {
        Interlocked.Increment(ref _verifications);
        var result = Hasher.VerifyHashedPassword(null!, hash is not null && IsWellFormed(hash) ? hash : _decoy, password);
        return hash is not null && result != PasswordVerificationResult.Failed;
    }

    /// <summary>A hash in Identity's format (version 2 or 3 marker byte, salt and subkey), as an import may bring.</summary>
    public static bool IsWellFormed(string hash)
    {
        var bytes = new byte[hash.Length];
        if (!Convert.TryFromBase64String(hash, bytes, out var length)) return false;
        return (bytes[0] == 0x01 && length >= 13 + 16 + 32) || (bytes[0] == 0x00 && length == 1 + 16 + 32);
    }
}
