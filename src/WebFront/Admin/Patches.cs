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
