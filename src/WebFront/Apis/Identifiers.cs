namespace ScanLogin.WebFront.Apis;

/// <summary>The shapes of the ids a browser or phone sends: checked at the edge, before any becomes a grain key.</summary>
public static class Identifiers
{
    /// <summary>An application id: 1 to 64 ASCII letters, digits, '-' or '_' (what the admin API creates and accepts).</summary>
    public static bool IsAppId(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>An identity source identifier: lowercase ASCII letters, digits and '-', shorter than 32.</summary>
    public static bool IsIdentifier(string value) =>
        value.Length is > 0 and < 32 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
