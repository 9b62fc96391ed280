namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// The two facts about a request's Origin that both sides need, written once: the access policy in the silo decides
/// with them (<c>ScanLogin.Grains.Access.AccessPolicy</c>), and a front end matches a ticket's allowed origins, fixed by
/// the policy when the ticket was created, against the Origin of each answer it sends (CORS).
/// </summary>
public static class RequestOrigins
{
    /// <summary>Longer Origin headers are not origins any application lists; they are never matched.</summary>
    public const int MaxLength = 256;

    /// <summary>Whether <paramref name="origin"/> is one of <paramref name="allowed"/> (scheme and host compare case-insensitively).</summary>
    public static bool Allows(IReadOnlyCollection<string>? allowed, string? origin) =>
        origin is { Length: > 0 and <= MaxLength } && allowed is { Count: > 0 } && allowed.Contains(origin, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A caller without a browser Origin is a server (an empty Origin header is none), unless ScanLogin's own hosted login
    /// page opened the ticket for the browser in front of it.
    /// </summary>
    public static bool IsServer(string? origin, bool hostedLogin) => origin is not { Length: > 0 } && !hostedLogin;
}
