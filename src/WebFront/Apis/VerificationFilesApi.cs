using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// WeChat's domain verification files, served at the site root from configuration (read at start; a changed file needs a restart): the "scan an ordinary QR code to open
/// the mini program" rule (and the business-domain setting) asks for a small text file WeChat names, at the root of the
/// declared host, so no other web server is needed. Only names of WeChat's shape are served, and only those configured.
/// </summary>
public static partial class VerificationFilesApi
{
    public static IEndpointRouteBuilder MapVerificationFilesApi(this IEndpointRouteBuilder app)
    {
        // One literal route per configured file, read once at start: a parameter route at the root would be a routing
        // candidate (its constraint evaluated) on every one-segment request, /healthz included.
        var options = app.ServiceProvider.GetRequiredService<IOptions<MiniProgramSiteOptions>>().Value;
        foreach (var fileName in options.VerificationFiles.Keys)
            if (options.Find(fileName) is { } content)
                // Routes match without regard to case; WeChat asks for the file by its exact name.
                app.MapGet("/" + fileName, (HttpContext http) => http.Request.Path.Value == "/" + fileName
                        ? Results.Text(content, "text/plain; charset=utf-8")
                        : ApiProblems.Problem(StatusCodes.Status404NotFound, "not_found", "No such file."))
                    .ExcludeFromDescription();
        return app;
    }

    /// <summary>WeChat's names: letters, digits, '_' and '-' (e.g. <c>zUzFRdrlzT.txt</c>, <c>MP_verify_abc123.txt</c>), then ".txt".</summary>
    public static bool IsWeChatFileName(string name) => FileNamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\.txt$")]
    private static partial Regex FileNamePattern();
}

/// <summary>The front end's part of section "ScanLogin:MiniProgram": verification file name to its content.</summary>
public sealed class MiniProgramSiteOptions
{
    public const string Section = "ScanLogin:MiniProgram";

    public Dictionary<string, string> VerificationFiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The content of a configured file of WeChat's shape (at most 1 KB, what WeChat's files hold), else null.</summary>
    public string? Find(string fileName) =>
        VerificationFilesApi.IsWeChatFileName(fileName) && VerificationFiles.TryGetValue(fileName, out var content) && content.Length <= 1024 ? content : null;
}
