using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ScanLogin.WebFront.Hosting;

/// <summary>
/// The default problem writer stays silent when the request's Accept header names neither JSON nor problem+json
/// (an EventSource asks for text/event-stream), and the status-code page then falls back to plain text. Errors keep
/// the one JSON shape whatever the client said it accepts; registered after the default, it only fills that gap,
/// with the same defaults and customization.
/// </summary>
public sealed class ProblemsWhateverAccepted(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value) is { Length: > 0 } phrase ? phrase : "Error";
        problem.Type ??= $"https://tools.ietf.org/html/rfc9110#section-15.{(problem.Status >= 500 ? 6 : 5)}";
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), options: null, contentType: "application/problem+json", http.RequestAborted));
    }
}
