namespace ScanLogin.WebFront.Oidc;

/// <summary>Form bodies of the OpenID Connect endpoints, read without letting a cut-short or malformed body become a 500.</summary>
internal static class OidcForms
{
    /// <summary>
    /// Maps <paramref name="handler"/> for GET (<paramref name="name"/>) and for a POSTed form (<paramref name="name"/>Form), as
    /// OpenID Connect lets authorize, userinfo and end_session be asked both ways. Mapped apart, not with MapMethods: an
    /// OpenAPI document needs a distinct operation id for each.
    /// </summary>
    public static void MapGetAndFormPost(this RouteGroupBuilder group, string pattern, Delegate handler, string name, string summary)
    {
        group.MapGet(pattern, handler).WithName(name).WithSummary(summary);
        group.MapPost(pattern, handler).WithName(name + "Form").DisableAntiforgery().WithSummary(summary + " (parameters as a form)");
    }

    /// <summary>The form, or null when the body is not a readable form (ended early, too large, not form-encoded).</summary>
    public static async Task<IFormCollection?> TryReadAsync(HttpRequest request)
    {
        try
        {
            return await request.ReadFormAsync();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;
        }
    }
}
