using System.Text;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// HTTP Basic credentials (RFC 7617) from an Authorization header: the one reading of them, for the ticket, binding and Authing
/// APIs (the application's id and secret), the token endpoint (RFC 6749 2.3.1 form-encodes both) and the operators' pages (the
/// platform key as the password). A header that says Basic but cannot be read is <see cref="Unreadable"/>: empty id and password.
/// </summary>
public sealed record BasicCredentials(string UserId, string Password)
{
    private const string Scheme = "Basic ";

    public static readonly BasicCredentials Unreadable = new("", "");

    /// <summary>Null when the header is not Basic; <see cref="Unreadable"/> when it is Basic but not base64 of <c>id:password</c>.</summary>
    public static BasicCredentials? Parse(string authorization)
    {
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[Scheme.Length..].Trim()));
            var colon = pair.IndexOf(':');
            return colon < 0 ? Unreadable : new BasicCredentials(pair[..colon], pair[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return Unreadable;
        }
    }

    public static BasicCredentials? Of(HttpRequest request) => Parse(request.Headers.Authorization.ToString());

    /// <summary>An application's id and secret, both present, as the ticket APIs take them; null for anything else.</summary>
    public static AppCredentials? ApplicationOf(HttpRequest request) =>
        Of(request) is { IsComplete: true } basic ? new AppCredentials(basic.UserId, basic.Password) : null;

    /// <summary>Both parts present.</summary>
    public bool IsComplete => UserId.Length > 0 && Password.Length > 0;

    /// <summary>The OAuth client's id and secret: form-decoded (RFC 6749 2.3.1), or <see cref="Unreadable"/> unless both are present.</summary>
    public BasicCredentials FormDecoded() =>
        IsComplete ? new BasicCredentials(FormDecode(UserId), FormDecode(Password)) : Unreadable;

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    public override string ToString() => $"BasicCredentials {{ UserId = {UserId} }}";
}
