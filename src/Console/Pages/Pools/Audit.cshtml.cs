using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

/// <summary>The pool's audit log, a page at a time (the API pages by cursor; the filters narrow the page shown).</summary>
public sealed class AuditModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    public static readonly string[] Types = ["pool", "application", "identity_source", "user", "api_key", "signing_key"];

    [FromRoute] public string PoolId { get; set; } = "";

    [FromQuery] public string? Type { get; set; }

    [FromQuery] public string? Actor { get; set; }

    [FromQuery] public string? Cursor { get; set; }

    public List<JsonNode?> Entries { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var page = await Admin.GetAsync($"pools/{Uri.EscapeDataString(PoolId)}/audit?limit=100" + (Cursor is { Length: > 0 } c ? "&cursor=" + Uri.EscapeDataString(c) : ""));
        if (page.Status == 404) return Missing();
        if (!Accept(page)) { Response.StatusCode = page.Status; return Page(); }
        Entries = [.. page.Items.Where(e => (Type is not { Length: > 0 } || Str(e?["resourceType"]) == Type)
                                           && (Actor is not { Length: > 0 } || Str(e?["actor"]).Contains(Actor, StringComparison.OrdinalIgnoreCase)))];
        NextCursor = page.Json?["nextCursor"] is { } next ? Str(next) : null;
        return Page();
    }
}
