using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>What every admin endpoint shares: ETags from revisions, If-Match, paging, and the mapping of failures.</summary>
public static class AdminHttp
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static string ETagOf(int revision) => $"\"{revision}\"";

    /// <summary>Reads If-Match: absent or "*" means "whatever is current"; a quoted revision names one; anything else is malformed.</summary>
    public static bool TryReadIfMatch(HttpRequest request, out int? revision)
    {
        revision = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header is "" or "*") return true;
        if (header.StartsWith("W/", StringComparison.Ordinal)) header = header[2..];
        if (header.Length > 2 && header[0] == '"' && header[^1] == '"' && int.TryParse(header[1..^1], out var parsed))
        {
            revision = parsed;
            return true;
        }
        return false;
    }

    public static ProblemHttpResult BadIfMatch() => ApiProblems.Invalid("If-Match", "A quoted revision from an ETag, like \"3\".");

    /// <summary>200 with the body and its revision as the ETag.</summary>
    public static Ok<T> Versioned<T>(HttpContext http, int revision, T body)
    {
        http.Response.Headers.ETag = ETagOf(revision);
        return TypedResults.Ok(body);
    }

    /// <summary>201 with the body, its location and its revision as the ETag.</summary>
    public static Created<T> VersionedCreated<T>(HttpContext http, int revision, T body, string location)
    {
        http.Response.Headers.ETag = ETagOf(revision);
        return TypedResults.Created(location, body);
    }

    /// <summary>Admin failures to HTTP: 404, 409, 412, or 400 naming the field ("field: rule").</summary>
    public static ProblemHttpResult Problem(Failure failure) => failure.Code switch
    {
        AdminFailureCodes.NotFound => NotFound(),
        AdminFailureCodes.Exists => ApiProblems.Problem(StatusCodes.Status409Conflict, failure.Code, failure.Message),
        AdminFailureCodes.NotEmpty => ApiProblems.Problem(StatusCodes.Status409Conflict, failure.Code, failure.Message),
        AdminFailureCodes.PreconditionFailed => ApiProblems.Problem(StatusCodes.Status412PreconditionFailed, failure.Code, failure.Message),
        AdminFailureCodes.ValidationFailed or FailureCodes.LogoInvalid => FieldProblem(failure),
        _ => ApiProblems.From(failure),
    };

    public static ProblemHttpResult NotFound() => ApiProblems.Problem(StatusCodes.Status404NotFound, "not_found", "No such resource.");

    public static ProblemHttpResult Invalid(AdminValidation validation) =>
        ApiProblems.Problem(StatusCodes.Status400BadRequest, ApiProblems.ValidationFailed,
            "The request is not valid: " + string.Join(", ", validation.Errors.Keys) + ".", validation.Errors);

    public static bool TryReadPage(string? limit, out int size)
    {
        size = DefaultPageSize;
        return limit is null || (int.TryParse(limit, out size) && size is >= 1 and <= MaxPageSize);
    }

    public static ProblemHttpResult BadLimit() => ApiProblems.Invalid("limit", $"1 to {MaxPageSize}.");

    public static ProblemHttpResult BadCursor() => ApiProblems.Invalid("cursor", "The nextCursor of a previous page, unchanged.");

    /// <summary>A listing page: the rows' JSON as stored, and the cursor of the next page.</summary>
    public static JsonHttpResult<JsonObject> Page(Page<CatalogRow> page)
    {
        var items = new JsonArray(page.Items.Select(r => JsonNode.Parse(r.Json)).ToArray());
        return TypedResults.Json(new JsonObject { ["items"] = items, ["nextCursor"] = page.NextCursor });
    }

    /// <summary>A list answered whole: <c>{"items": [...]}</c>.</summary>
    public sealed record ItemList<T>(T Items);

    private static ProblemHttpResult FieldProblem(Failure failure)
    {
        var colon = failure.Message.IndexOf(':');
        var fields = colon > 0 ? failure.Message[..colon] : "body";
        var rule = colon > 0 ? failure.Message[(colon + 1)..].Trim() : failure.Message;
        var validation = new AdminValidation();
        foreach (var field in fields.Split(", ")) validation.Fail(field, rule);
        return ApiProblems.Problem(StatusCodes.Status400BadRequest, ApiProblems.ValidationFailed, failure.Message, validation.Errors);
    }
}
