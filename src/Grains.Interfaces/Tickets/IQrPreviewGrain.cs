namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// A sample of the code an identity source's tickets show (key "pool/identifier"): the same drawing, logo and plate,
/// over a fixed payload that is no ticket, for the operator's preview. Kept per logo, kind and size.
/// </summary>
[Alias("ScanLogin.IQrPreviewGrain")]
public interface IQrPreviewGrain : IGrainWithStringKey
{
    /// <summary>The sample as a PNG at the nearest drawn size (160 to 1280 px), or identity_source_not_found / image_size_invalid.</summary>
    [Alias("GetPreview")]
    Task<Outcome<QrImage>> GetPreviewAsync(int size);
}
