using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>PATCH as JSON merge: the fields sent replace the current ones, then the whole result is validated as a create would be.</summary>
public static class Patches
{
    public static ProblemHttpResult? Apply<T>(T current, JsonObject patch, out T merged)
    {
        var document = JsonSerializer.SerializeToNode(current, AdminJson.Options)!.AsObject();
        foreach (var (name, value) in patch) document[name] = value?.DeepClone();
        try
        {
            merged = document.Deserialize<T>(AdminJson.Options)!;
            return null;
        }
        catch (JsonException e)
        {
            merged = current;
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, ApiProblems.Malformed, $"A field has the wrong type: {e.Path}.");
        }
    }
}

/// <summary>
/// A JSON merge-patch body, read strictly before any handler sees it: an object whose member names appear once
/// (names are case-insensitive, so "name" and "NAME" are the same member) and whose strings are valid Unicode.
/// Anything else is a 400 in the one problem shape, never a crash while the body is used.
/// </summary>
public sealed class MergePatch(JsonObject fields)
{
    public JsonObject Fields { get; } = fields;

    public static async ValueTask<MergePatch?> BindAsync(HttpContext http)
    {
        if (!http.Request.HasJsonContentType())
            throw new BadHttpRequestException("Send the patch as application/json.", StatusCodes.Status415UnsupportedMediaType);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, http.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException($"The body is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new BadHttpRequestException("The body must be a JSON object.");
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(member.Name)) throw new BadHttpRequestException($"The member '{member.Name}' appears more than once.");
                if (!IsValidText(member.Value)) throw new BadHttpRequestException($"The member '{member.Name}' holds text that is not valid Unicode.");
            }
            return new MergePatch(JsonObject.Create(document.RootElement.Clone(), new JsonNodeOptions { PropertyNameCaseInsensitive = true })!);
        }
    }

    /// <summary>False when a string (or a name) in the value holds a lone surrogate: JSON escapes can spell one, UTF-16 cannot hold it.</summary>
    private static bool IsValidText(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return !HasLoneSurrogate(element.GetString()!);
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(IsValidText);
                case JsonValueKind.Object:
                    return element.EnumerateObject().All(p => !HasLoneSurrogate(p.Name) && IsValidText(p.Value));
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false; // the reader refuses to turn an escaped lone surrogate into a string
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }
}
