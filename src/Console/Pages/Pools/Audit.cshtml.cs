using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

/// <summary>The pool's audit log, a page at a time: the filters go to the admin API, which pages through what they keep.</summary>
public sealed class AuditModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    public static readonly string[] Types = ["pool", "application", "identity_source", "user", "api_key", "signing_key"];

    [FromRoute] public string PoolId { get; set; } = "";

    [FromQuery] public string? Type { get; set; }

    [FromQuery] public string? Action { get; set; }

    [FromQuery] public string? ResourceId { get; set; }

    [FromQuery] public string? Actor { get; set; }

    /// <summary>First day kept (UTC), yyyy-MM-dd.</summary>
    [FromQuery] public string? From { get; set; }

    /// <summary>Last day kept (UTC, the whole day), yyyy-MM-dd.</summary>
    [FromQuery] public string? To { get; set; }

    [FromQuery] public string? Cursor { get; set; }

    public List<JsonNode?> Entries { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public bool Filtered => new[] { Type, Action, ResourceId, Actor, From, To }.Any(f => f is { Length: > 0 });

    public async Task<IActionResult> OnGetAsync()
    {
        var page = await Admin.GetAsync($"pools/{Uri.EscapeDataString(PoolId)}/audit?limit=100" + Query(includeCursor: true));
        if (page.Status == 404) return Missing();
        if (!Accept(page)) { Response.StatusCode = page.Status; return Page(); }
        Entries = [.. page.Items];
        NextCursor = page.Json?["nextCursor"] is { } next ? Str(next) : null;
        return Page();
    }

    /// <summary>The filters as the admin API's query (and the next page's link): days become UTC times, the last day kept whole.</summary>
    public string Query(bool includeCursor, string? cursor = null)
    {
        var parts = new List<string>();
        void Add(string name, string? value) { if (value is { Length: > 0 }) parts.Add(name + "=" + Uri.EscapeDataString(value.Trim())); }
        Add("resourceType", Type);
        Add("action", Action);
        Add("resourceId", ResourceId);
        Add("actor", Actor);
        Add("from", Day(From, 0));
        Add("to", Day(To, 1));
        if (includeCursor) Add("cursor", cursor ?? Cursor);
        return parts.Count == 0 ? "" : "&" + string.Join("&", parts);
    }

    /// <summary>A day as the API's time (its start, plus days); anything else is passed on unchanged for the API to refuse by name.</summary>
    private static string? Day(string? value, int plusDays) =>
        DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.AddDays(plusDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00Z"
            : value;

    /// <summary>The link to the next page with the same filters.</summary>
    public string NextLink() =>
        $"/pools/{Uri.EscapeDataString(PoolId)}/audit?cursor={Uri.EscapeDataString(NextCursor ?? "")}" +
        string.Concat(new[] { ("type", Type), ("action", Action), ("resourceId", ResourceId), ("actor", Actor), ("from", From), ("to", To) }
            .Where(p => p.Item2 is { Length: > 0 }).Select(p => $"&{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
}
