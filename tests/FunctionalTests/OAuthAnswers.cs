using System.Net.Http.Json;
using System.Text.Json;

namespace ScanLogin.FunctionalTests;

/// <summary>Reads an OAuth error answer (RFC 6749 5.2, RFC 6750 3: a JSON body with <c>error</c> and <c>error_description</c>).</summary>
public static class OAuthAnswers
{
    /// <summary>The answer's <c>error</c>.</summary>
    public static async Task<string?> ErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();

    /// <summary>The answer's status, <c>error</c> and <c>error_description</c>, to compare as one.</summary>
    public static async Task<(int Status, string? Error, string? Description)> RefusalAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ((int)response.StatusCode, body.GetProperty("error").GetString(), body.GetProperty("error_description").GetString());
    }
}
