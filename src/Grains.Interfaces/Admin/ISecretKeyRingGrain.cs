namespace ScanLogin.Grains.Interfaces;

/// <summary>The key ring that encrypts stored secrets (key 0).</summary>
[Alias("ScanLogin.ISecretKeyRingGrain")]
public interface ISecretKeyRingGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a new data key; new secrets use it, old ones stay readable.</summary>
    [Alias("Rotate")]
    Task<KeyRingStatus> RotateAsync();

    /// <summary>The current data key's id and how many keys the ring holds.</summary>
    [Alias("GetStatus")]
    Task<KeyRingStatus> GetStatusAsync();
}

[GenerateSerializer, Immutable, Alias("ScanLogin.KeyRingStatus")]
public sealed record KeyRingStatus([property: Id(0)] int CurrentKeyId, [property: Id(1)] int KeyCount);
