namespace ScanLogin.WebFront.Oidc;

/// <summary>Form bodies of the OpenID Connect endpoints, read without letting a cut-short or malformed body become a 500.</summary>
internal static class OidcForms
{
    /// <summary>The form, or null when the body is not a readable form (ended early, too large, not form-encoded).</summary>
    public static async Task<IFormCollection?> TryReadAsync(HttpRequest request)
    {
        try
        {
            return await request.ReadFormAsync();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;
        }
    }
}
