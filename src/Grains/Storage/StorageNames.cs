namespace ScanLogin.Grains;

/// <summary>The grain storage providers the silo must register.</summary>
public static class StorageNames
{
    /// <summary>Pools, applications and identity sources: small, long-lived, read often.</summary>
    public const string Configuration = "configuration";
}
