namespace ScanLogin.Grains.Interfaces;

/// <summary>The shape of a pool API key: "slk.{poolId}.{keyId}.{secret}", so the pool that verifies it is known before any lookup.</summary>
public static class PoolApiKey
{
    public const string Prefix = "slk";

    public static string Format(string poolId, string keyId, string secret) => $"{Prefix}.{poolId}.{keyId}.{secret}";

    public static bool TryParse(string value, out string poolId, out string keyId, out string secret)
    {
        (poolId, keyId, secret) = ("", "", "");
        if (value.Split('.') is not [Prefix, { Length: > 0 } pool, { Length: > 0 } key, { Length: > 0 } s]) return false;
        (poolId, keyId, secret) = (pool, key, s);
        return true;
    }
}
