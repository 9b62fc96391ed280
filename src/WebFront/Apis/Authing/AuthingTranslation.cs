using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis.Authing;

/// <summary>
/// How the Authing wire protocol maps onto native tickets: the <c>random</c> and <c>ticket</c> strings, status numbers and
/// error codes. Pure functions: nothing here decides anything a ticket grain decides.
/// </summary>
public static class AuthingTranslation
{
    /// <summary>The SDK's code for "QR code does not exist".</summary>
    public const int QrCodeNotFound = 2241;

    public const int Success = 200;

    /// <summary>
    /// A new <c>random</c>: the ticket id and 256 random bits, joined by a dot (URL-safe: the SDK does not encode it).
    /// The ticket id alone is public (the QR code shows it); the random part is known only to the browser that asked.
    /// </summary>
    public static string NewRandom(string ticketId) => RandomOf(ticketId, Secrets.NewSecret());

    /// <summary>The <c>random</c> of a ticket whose random part was chosen before the ticket desk picked its id.</summary>
    public static string RandomOf(string ticketId, string randomPart) => $"{ticketId}.{randomPart}";

    /// <summary>
    /// The browser secret of a ticket opened through the Authing API: derived from its <c>random</c>'s secret part and the
    /// application, so the poll that reveals it needs the random, and a random polled under another application yields a
    /// useless one. Only the part after the id counts: it is chosen before the ticket desk picks the id.
    /// </summary>
    public static string BrowserSecretOf(string appId, string random) => BrowserSecretFor(appId, random[(random.IndexOf('.') + 1)..]);

    public static string BrowserSecretFor(string appId, string randomPart) => Secrets.Hash("authing-ticket", appId + "|" + randomPart);

    /// <summary>The <c>ticket</c> a status-2 poll answers: the ticket id and its browser secret (the native exchange proof).</summary>
    public static string TicketOf(string appId, string random, string ticketId) => $"{ticketId}.{BrowserSecretOf(appId, random)}";

    /// <summary>The ticket id of a well-formed <c>random</c> or <c>ticket</c> (id, a dot, 43 base64url characters), else null.</summary>
    public static string? TicketIdOf(string? value)
    {
        if (value is not { Length: 66 } || value[22] != '.') return null;
        var id = value[..22];
        var secret = value[23..];
        return Secrets.IsWellFormedId(id) && secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? id : null;
    }

    /// <summary>The browser secret part of a well-formed <c>ticket</c>.</summary>
    public static string SecretOf(string ticket) => ticket[23..];

    /// <summary>The status numbers the SDK switches on. A consumed ticket still reads as authorized: the login did happen.</summary>
    public static int StatusOf(TicketStatus status) => status switch
    {
        TicketStatus.Pending => 0,
        TicketStatus.Scanned => 1,
        TicketStatus.Confirmed or TicketStatus.Consumed => 2,
        TicketStatus.Cancelled => 3,
        TicketStatus.Expired => -1,
        // The SDK cannot bind an account, so a login waiting for one ends for it as a refusal (the hosted page can bind).
        TicketStatus.Rejected or TicketStatus.BindingRequired => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>The poll's answer for a ticket; <paramref name="random"/> and <paramref name="appId"/> are what the browser polled with.</summary>
    public static AuthingQrStatus ToStatus(TicketSnapshot ticket, string random, string appId)
    {
        var status = StatusOf(ticket.Status);
        var user = ticket.Scanner is { } s && status is 1 or 2 ? new AuthingScannedUser(s.Nickname ?? "", s.AvatarUrl ?? "") : AuthingScannedUser.None;
        var refused = ticket.Status switch
        {
            TicketStatus.Rejected => RefusalOf(ticket.Reason ?? FailureCodes.AccountNotFound),
            TicketStatus.BindingRequired => RefusalOf(FailureCodes.BindingRequired),
            _ => null,
        };
        return new AuthingQrStatus(random, status, status == 2 ? TicketOf(appId, random, ticket.TicketId) : null, user, refused);
    }

    /// <summary>Why the pool refused a scanned login, in both the field the SDK reads and the one Guard reads.</summary>
    public static AuthingScannedResult RefusalOf(string reason)
    {
        var message = reason switch
        {
            FailureCodes.AccountCreationDisabled or FailureCodes.AccountNotFound => "This site does not create accounts for new WeChat users.",
            FailureCodes.UserBlocked => "This account is blocked.",
            FailureCodes.BindingRequired => "This WeChat user must first be bound to an existing account.",
            FailureCodes.IdentitySourceDisabled => "This login method has been disabled.",
            FailureCodes.IdentitySourceNotFound => "This login method no longer exists.",
            FailureCodes.MiniProgramChanged => "This login method changed its mini program; get a new code.",
            _ => $"The login was refused ({reason}).",
        };
        return new AuthingScannedResult(ApiProblems.StatusOf(reason), message, message, reason);
    }

    /// <summary>The envelope code of a native failure: 2241 for an unknown ticket, else the HTTP status the native API uses.</summary>
    public static int CodeOf(string failureCode) => failureCode == FailureCodes.TicketNotFound ? QrCodeNotFound : ApiProblems.StatusOf(failureCode);

    public static AuthingEnvelope<T> Ok<T>(T data, string message) => new(Success, message, data);

    public static AuthingEnvelope<AuthingError> Refused(Failure failure) => new(CodeOf(failure.Code), failure.Message, new AuthingError(failure.Code));

    public static AuthingEnvelope<AuthingError> Refused(int code, string error, string message) => new(code, message, new AuthingError(error));

    public static AuthingEnvelope<AuthingError> Invalid(string field, string rule) =>
        Refused(StatusCodes.Status400BadRequest, ApiProblems.ValidationFailed, $"The request is not valid: {field}. {rule}");

    /// <summary>The user the SDK stores after an exchange; timestamps as ISO-8601 strings like Authing's.</summary>
    public static AuthingUser ToUser(ExchangeGrant grant, DateTimeOffset now)
    {
        var u = grant.User;
        return new AuthingUser(u.Id, u.PoolId, Username: null, u.Nickname, u.AvatarUrl, u.Phone, PhoneVerified: u.Phone is not null,
            Email: null, EmailVerified: false, Unionid: null, Openid: null, grant.IdToken, Iso(grant.ExpiresAt), LoginsCount: null,
            LastLogin: Iso(now), LastIp: null, Iso(u.CreatedAt), Iso(u.CreatedAt), Blocked: false, IsDeleted: false);
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
