using System.Text;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>An application's credentials sent as <c>Authorization: Basic base64(appId:appSecret)</c>.</summary>
public static class BasicCredentials
{
    /// <summary>The id and secret of a well-formed Basic header with both parts non-empty; null for anything else.</summary>
    public static AppCredentials? Parse(string authorization)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
            return pair.Split(':', 2) is [{ Length: > 0 } id, { Length: > 0 } secret] ? new AppCredentials(id, secret) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
