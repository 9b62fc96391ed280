using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Hosting;

/// <summary>
/// Refuses, before any handler runs, a route value or query value that carries a control character or a lone
/// surrogate, or a route value that is blank: every id in a route becomes a grain key or a database parameter.
/// (Kestrel itself refuses %00 in the path; this covers %01 to %1F, %7F, C1 controls and the query.)
/// </summary>
public static class EdgeGuard
{
    // Not async on the way through: a waiting browser's request would keep this frame alive for as long as it waits.
    public static IApplicationBuilder UseEdgeGuard(this IApplicationBuilder app) => app.Use((http, next) =>
        FindUnsafe(http) is { } where
            ? ApiProblems.Problem(StatusCodes.Status400BadRequest, ApiProblems.Malformed,
                $"The {where} carries a control character or an invalid character, or is blank.").ExecuteAsync(http)
            : next(http));

    private static string? FindUnsafe(HttpContext http)
    {
        if (!GrainKeys.IsSafeText(http.Request.Path.Value)) return "path";
        foreach (var (name, value) in http.Request.RouteValues)
            // A blank id names nothing, and Orleans refuses it as a grain key.
            if (value is string text && (!GrainKeys.IsSafeText(text) || string.IsNullOrWhiteSpace(text))) return $"route value '{name}'";
        foreach (var (name, values) in http.Request.Query)
        {
            if (!GrainKeys.IsSafeText(name)) return "query";
            foreach (var value in values)
                if (!GrainKeys.IsSafeText(value)) return $"query parameter '{name}'";
        }
        return null;
    }
}
