namespace ScanLogin.Grains;

/// <summary>The cluster-wide keys (section "ScanLogin:Keys"). Every silo must be given the same values.</summary>
public sealed class KeyOptions
{
    public const string Section = "ScanLogin:Keys";

    /// <summary>Base64 of at least 32 bytes; signs the tokens an exchange hands out (HS256).</summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>Base64 of exactly 32 bytes; encrypts secrets such as mini-program AppSecrets at rest (AES-256-GCM).</summary>
    public string? SecretEncryptionKey { get; set; }
}

/// <summary>How tokens look (section "ScanLogin:Tokens").</summary>
public sealed class TokenOptions
{
    public const string Section = "ScanLogin:Tokens";

    public string Issuer { get; set; } = "scanlogin";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);
}
