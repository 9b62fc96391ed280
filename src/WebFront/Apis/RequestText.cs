namespace ScanLogin.WebFront.Apis;

/// <summary>Free text a request carries (Origin, User-Agent, a login hint), cut to what a ticket keeps.</summary>
public static class RequestText
{
    /// <summary>Null for a missing or empty value, else at most <paramref name="max"/> characters of it.</summary>
    public static string? Truncate(string? value, int max) => string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : value[..max];
}
