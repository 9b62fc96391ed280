namespace ScanLogin.Grains;

/// <summary>The platform's handle on the key ring (key 0): rotation is rare and serialized here.</summary>
public sealed class SecretKeyRingGrain(SecretProtector protector) : Grain, ISecretKeyRingGrain
{
    async Task<KeyRingStatus> ISecretKeyRingGrain.RotateAsync()
    {
        await protector.RotateAsync();
        return await StatusAsync();
    }

    Task<KeyRingStatus> ISecretKeyRingGrain.GetStatusAsync() => StatusAsync();

    private async Task<KeyRingStatus> StatusAsync()
    {
        var (current, count) = await protector.StatusAsync();
        return new KeyRingStatus(current, count);
    }
}
