using System.Net;
using System.Text.RegularExpressions;

namespace ScanLogin.WebFront.Admin;

/// <summary>Every field rule of the admin API, collected per field so one answer names all that is wrong.</summary>
public sealed partial class AdminValidation
{
    public const int MaxListEntries = 50;
    public const int MinTicketLifetimeSeconds = 30;
    public const int MaxTicketLifetimeSeconds = 600;

    private readonly Dictionary<string, List<string>> _errors = [];

    public bool IsValid => _errors.Count == 0;

    public IDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void Fail(string field, string rule) => (_errors.TryGetValue(field, out var list) ? list : _errors[field] = []).Add(rule);

    public void PoolId(string field, string? value)
    {
        if (value is null || !PoolIdPattern().IsMatch(value)) Fail(field, "3 to 40 lowercase letters, digits or '-', starting with a letter or digit.");
    }

    public void Name(string field, string? value, int max = 64)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max || value.Any(char.IsControl))
            Fail(field, $"Required: 1 to {max} characters, no control characters.");
    }

    /// <summary>The seed's unique ID: lowercase letters, digits and '-', shorter than 32 characters.</summary>
    public void Identifier(string field, string? value)
    {
        if (value is null || value.Length is 0 or >= 32 || !IdentifierPattern().IsMatch(value))
            Fail(field, "Required: lowercase letters, digits and '-', shorter than 32 characters.");
    }

    /// <summary>An absolute https URL; http only for loopback hosts.</summary>
    public void Url(string field, string? value, bool required = false)
    {
        if (value is null) { if (required) Fail(field, "Required."); return; }
        if (value.Length > 2048 || !Grains.Interfaces.GrainKeys.IsSafeText(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !IsSecureOrLoopback(uri) || !string.IsNullOrEmpty(uri.UserInfo))
            Fail(field, "An absolute https URL (http only for loopback), at most 2048 characters, without credentials.");
    }

    /// <summary>An origin as browsers send it: scheme, host and optional port, nothing else.</summary>
    public void Origins(string field, string[]? values)
    {
        if (values is null) return;
        if (values.Length > MaxListEntries) Fail(field, $"At most {MaxListEntries} entries.");
        foreach (var value in values)
            if (!Grains.Interfaces.GrainKeys.IsSafeText(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || !IsSecureOrLoopback(uri)
                || uri.GetLeftPart(UriPartial.Authority) != value)
                Fail(field, $"'{Clip(value)}' is not an origin like https://shop.example.com (http only for loopback, no path or trailing slash).");
    }

    public void Urls(string field, string[]? values)
    {
        if (values is null) return;
        if (values.Length > MaxListEntries) Fail(field, $"At most {MaxListEntries} entries.");
        foreach (var value in values) Url(field, value);
    }

    /// <summary>Lifetime of exchanged tokens: a minute to a day.</summary>
    public void TokenLifetime(string field, int? seconds)
    {
        if (seconds is < 60 or > 86_400) Fail(field, "Seconds, from 60 to 86400.");
    }

    /// <summary>Lifetime of a pool's hosted-login session: five minutes to thirty days.</summary>
    public void SessionLifetime(string field, int? seconds)
    {
        if (seconds is < 300 or > 2_592_000) Fail(field, "Seconds, from 300 to 2592000.");
    }

    public void MiniProgramAppId(string field, string? value)
    {
        if (value is not null && !AppIdPattern().IsMatch(value)) Fail(field, "A mini program AppID: 'wx' and 16 hexadecimal digits.");
    }

    public void MiniProgramAppSecret(string field, string? value)
    {
        if (value is not null && !SecretPattern().IsMatch(value)) Fail(field, "A mini program AppSecret: 16 to 128 letters, digits, '-' or '_'.");
    }

    public void TicketLifetime(string field, int? seconds)
    {
        if (seconds is < MinTicketLifetimeSeconds or > MaxTicketLifetimeSeconds)
            Fail(field, $"Seconds, from {MinTicketLifetimeSeconds} to {MaxTicketLifetimeSeconds}.");
    }

    public void ApplicationIds(string field, string[]? values)
    {
        if (values is null) return;
        if (values.Length > MaxListEntries) Fail(field, $"At most {MaxListEntries} entries.");
        foreach (var value in values)
            if (!AppIdentifierPattern().IsMatch(value)) Fail(field, $"'{Clip(value)}' is not an application id.");
    }

    public T? Choice<T>(string field, string? value, IReadOnlyDictionary<string, T> choices) where T : struct
    {
        if (value is not null && choices.TryGetValue(value, out var chosen)) return chosen;
        Fail(field, $"One of: {string.Join(", ", choices.Keys)}.");
        return null;
    }

    private static bool IsSecureOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))));

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{2,39}$")]
    private static partial Regex PoolIdPattern();

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^wx[0-9a-f]{16}$")]
    private static partial Regex AppIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{16,128}$")]
    private static partial Regex SecretPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex AppIdentifierPattern();
}
