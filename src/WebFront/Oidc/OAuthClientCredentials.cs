using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// Client authentication at the pool's OAuth endpoints (token, revocation; RFC 6749 2.3.1): Basic with form-encoded id and
/// secret, or both in the body, never both ways. <see cref="UsedBasic"/>: the answer to a failed Basic login names the scheme.
/// </summary>
public sealed record OAuthClientCredentials(string? ClientId, string? Secret, bool UsedBasic)
{
    /// <summary>The client's id and secret as sent, or the reason the request is malformed (<c>invalid_request</c>).</summary>
    public static (OAuthClientCredentials? Credentials, string? Malformed) Read(HttpRequest request, IFormCollection form)
    {
        var basic = BasicCredentials.Of(request)?.FormDecoded();
        var formSecret = Single(form, "client_secret");
        if (basic is not null && formSecret is not null) return (null, "Use one client authentication method.");
        if (basic is not null && Single(form, "client_id") is { } bodyId && bodyId != basic.UserId)
            return (null, "client_id differs from the authenticated client.");
        return (new OAuthClientCredentials(basic?.UserId ?? Single(form, "client_id"), basic?.Password ?? formSecret, basic is not null), null);
    }

    private static string? Single(IFormCollection form, string name) =>
        form.TryGetValue(name, out var values) && values.Count == 1 && values[0] is { Length: > 0 } v ? v : null;

    public override string ToString() => $"OAuthClientCredentials {{ ClientId = {ClientId}, UsedBasic = {UsedBasic} }}";
}
