using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>The one error shape: RFC 7807 problem+json with a stable machine-readable "code".</summary>
public static class ApiProblems
{
    public const string Malformed = "malformed_request";
    public const string ValidationFailed = "validation_failed";

    public static ProblemHttpResult From(Failure failure)
    {
        var problem = Problem(StatusOf(failure.Code), failure.Code, failure.Message);
        if (failure.RetryAfter is { } wait) problem.ProblemDetails.Extensions["retryAfter"] = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return problem;
    }

    public static ProblemHttpResult Problem(int status, string code, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null) extensions["errors"] = errors;
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleOf(status), extensions: extensions);
    }

    /// <summary>A ticket id that cannot be one (not 22 URL-safe base64 characters), refused before any grain is asked.</summary>
    public static ProblemHttpResult MalformedTicketId() =>
        Problem(StatusCodes.Status400BadRequest, "malformed_ticket_id", "A ticket id is 22 URL-safe base64 characters.");

    public static ProblemHttpResult Invalid(string field, string rule) =>
        Problem(StatusCodes.Status400BadRequest, ValidationFailed, $"The request is not valid: {field}.", new Dictionary<string, string[]> { [field] = [rule] });

    /// <summary>Each failure code has exactly one HTTP status.</summary>
    public static int StatusOf(string code) => code switch
    {
        FailureCodes.TicketNotFound or FailureCodes.ApplicationNotFound or FailureCodes.IdentitySourceNotFound
            or FailureCodes.UserPoolNotFound => StatusCodes.Status404NotFound,
        AdminFailureCodes.MiniProgramInUse or FailureCodes.TicketExists or FailureCodes.InvalidTransition or FailureCodes.AlreadyScanned
            or FailureCodes.AlreadyExchanged or FailureCodes.WeChatCodeUsed or FailureCodes.PhoneInUse
            or FailureCodes.UsernameInUse or FailureCodes.EmailInUse or FailureCodes.IdentityAlreadyBound => StatusCodes.Status409Conflict,
        FailureCodes.UserNotFound => StatusCodes.Status404NotFound,
        FailureCodes.InvalidCredentials or FailureCodes.BindingCodeInvalid => StatusCodes.Status401Unauthorized,
        FailureCodes.AccountLocked or FailureCodes.TooManyAttempts => StatusCodes.Status429TooManyRequests,
        FailureCodes.AccountsUnavailable => StatusCodes.Status503ServiceUnavailable,
        FailureCodes.AccountNotFound or FailureCodes.UserBlocked or FailureCodes.RegistrationDisabled => StatusCodes.Status403Forbidden,
        FailureCodes.TicketExpired or FailureCodes.MiniProgramChanged => StatusCodes.Status410Gone,
        FailureCodes.AppCredentialsInvalid => StatusCodes.Status401Unauthorized,
        FailureCodes.ScanTokenInvalid or FailureCodes.ExchangeForbidden or FailureCodes.AddressChanged or FailureCodes.IdentitySourceDisabled
            or FailureCodes.IdentitySourceNotEnabledForApp or FailureCodes.AccountCreationDisabled
            or FailureCodes.WeChatUserBlocked or FailureCodes.BindingRequired or FailureCodes.OriginNotAllowed => StatusCodes.Status403Forbidden,
        FailureCodes.ExchangeCodeInvalid or FailureCodes.WeChatCodeInvalid or FailureCodes.PhoneMismatch
            or FailureCodes.ImageSizeInvalid or FailureCodes.LogoInvalid => StatusCodes.Status400BadRequest,
        FailureCodes.WeChatRateLimited or FailureCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        FailureCodes.WeChatUnavailable => StatusCodes.Status503ServiceUnavailable,
        FailureCodes.WeChatMisconfigured => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The code for a status the framework produced itself (bad JSON, body too large, unknown route).</summary>
    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => Malformed,
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status413PayloadTooLarge => "payload_too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        >= 500 => "internal_error",
        _ => "error",
    };

    private static string TitleOf(int status) => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
