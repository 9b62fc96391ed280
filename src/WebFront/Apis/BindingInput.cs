using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// The shape of a binding request, checked once for every API that binds (the native <c>/api/tickets/{id}/binding</c> and the
/// hosted page's): what the account, password, new-account fields and the phone's binding code may look like. Whether the
/// code and the password are right is the ticket grain's and the pool's to say.
/// </summary>
public static partial class BindingInput
{
    /// <summary>An existing account's sign-in: the first field that is malformed, as a 400 <c>validation_failed</c>; null when all are well formed.</summary>
    public static ProblemHttpResult? Check(BindExistingRequest request)
    {
        if (request.Account is not { Length: > 0 and <= 254 } account || account.Any(char.IsControl))
            return ApiProblems.Invalid("account", "Required: the account's username, email or phone number (+country code), at most 254 characters.");
        if (request.Password is not { Length: > 0 and <= 128 }) return ApiProblems.Invalid("password", "Required, at most 128 characters.");
        return CheckBindingCode(request.BindingCode);
    }

    /// <summary>A new account: the first field that is malformed, or null with the account to create.</summary>
    public static ProblemHttpResult? Check(BindNewRequest request, out NewAccount account)
    {
        account = new NewAccount(request.Username, request.Email, null, request.Nickname, null, request.Password);
        if (request.Username is { } username && !UsernamePattern().IsMatch(username))
            return ApiProblems.Invalid("username", "3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        if (request.Email is { } email && !IsEmail(email)) return ApiProblems.Invalid("email", "An email address, at most 254 characters.");
        if (request.Password is { } password && password.Length is < 8 or > 128) return ApiProblems.Invalid("password", "8 to 128 characters.");
        if (request.Password is not null && request.Username is null && request.Email is null)
            return ApiProblems.Invalid("username", "A password needs a username or an email to sign in with.");
        if (request.Nickname is { } nickname && (nickname.Length > 64 || nickname.Any(char.IsControl)))
            return ApiProblems.Invalid("nickname", "At most 64 characters, no control characters.");
        return CheckBindingCode(request.BindingCode);
    }

    /// <summary>The binding code the phone shows: exactly six digits (a wrong one is counted by the ticket).</summary>
    private static ProblemHttpResult? CheckBindingCode(string? code) =>
        code is { Length: 6 } && code.All(char.IsAsciiDigit)
            ? null
            : ApiProblems.Invalid("bindingCode", "Required: the 6-digit code the phone shows after approving (it proves this computer is with that phone).");

    internal static bool IsEmail(string value) =>
        value.Length <= 254 && !value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) && value.IndexOf('@') is > 0 and var at && at < value.Length - 3
        && value.IndexOf('.', at) > at + 1 && value.Count(c => c == '@') == 1;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")]
    internal static partial Regex UsernamePattern();
}
