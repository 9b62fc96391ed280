using System.Text;

namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// Opaque listing cursors: the last id seen, base64url-encoded so clients do not build them. A cursor the server did
/// not issue (not base64url, not UTF-8, or carrying a control character) is refused at the edge with a 400, so no
/// such value ever reaches a database query.
/// </summary>
public static class Cursors
{
    public const int MaxLength = 512;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Encode(string lastId) => Secrets.Base64Url(StrictUtf8.GetBytes(lastId));

    /// <summary>Null or empty means "from the start"; false for anything that cannot be a cursor this server issued.</summary>
    public static bool TryDecode(string? cursor, out string? lastId)
    {
        lastId = null;
        if (string.IsNullOrEmpty(cursor)) return true;
        if (cursor.Length > MaxLength || !cursor.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var decoded = StrictUtf8.GetString(Convert.FromBase64String(padded));
            if (decoded.Length == 0 || !GrainKeys.IsSafeText(decoded)) return false;
            lastId = decoded;
            return true;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>An audit cursor: the sequence number of the last entry seen.</summary>
    public static bool TryDecodeSequence(string? cursor, out long afterSequence)
    {
        afterSequence = 0;
        return TryDecode(cursor, out var text) && (text is null || (long.TryParse(text, System.Globalization.NumberStyles.None, null, out afterSequence)));
    }

    /// <summary>For the catalog grain: the front end has already refused anything unreadable; treat it as past the end.</summary>
    public static string? Decode(string? cursor) => TryDecode(cursor, out var lastId) ? lastId : "\uffff";
}
