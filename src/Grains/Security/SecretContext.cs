namespace ScanLogin.Grains;

/// <summary>The record and field a stored secret belongs to: bound into its ciphertext, so it decrypts nowhere else.</summary>
public readonly record struct SecretContext(string Kind, string Id, string Field)
{
    /// <summary>A private mini program's AppSecret, kept by its identity source (key "{poolId}/{identifier}").</summary>
    public static SecretContext AppSecretOf(string identitySourceKey) => new("identity-source", identitySourceKey, "app-secret");

    /// <summary>A pool's signing private key.</summary>
    public static SecretContext SigningKeyOf(string poolId, string keyId) => new("signing-key", $"{poolId}/{keyId}", "private-key");

    /// <summary>Lengths first, so no choice of kind, id and field reads as another's.</summary>
    public override string ToString() => $"{Kind.Length}:{Kind}/{Id.Length}:{Id}/{Field.Length}:{Field}";
}
