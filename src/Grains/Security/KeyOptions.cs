namespace ScanLogin.Grains;

/// <summary>The cluster-wide keys (section "ScanLogin:Keys"). Every silo must be given the same values.</summary>
public sealed class KeyOptions
{
    public const string Section = "ScanLogin:Keys";

    /// <summary>Base64 of exactly 32 bytes; encrypts secrets such as mini-program AppSecrets at rest (AES-256-GCM).</summary>
    public string? SecretEncryptionKey { get; set; }
}
