using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages;

public sealed class IndexModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    public List<JsonNode?> Pools { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? cursor)
    {
        // A pool key reaches one pool: its home is that pool.
        if (PoolScope is { } pool) return Redirect("/pools/" + Uri.EscapeDataString(pool));
        await LoadAsync(cursor);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var body = new JsonObject { ["name"] = Form("name"), ["browserExchange"] = Checked("browserExchange") };
        if (Form("id") is { } id) body["id"] = id;
        if (FormInt("tokenLifetimeSeconds") is { } lifetime) body["tokenLifetimeSeconds"] = lifetime;
        else if (Form("tokenLifetimeSeconds") is not null) body["tokenLifetimeSeconds"] = Form("tokenLifetimeSeconds");
        var created = await Admin.PostAsync("pools", body);
        if (Accept(created)) return Redirect("/pools/" + Uri.EscapeDataString(Str(created.Json?["id"])));
        Response.StatusCode = created.Status;
        await LoadAsync(null);
        return Page();
    }

    private async Task LoadAsync(string? cursor)
    {
        var list = await Admin.GetAsync("pools?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
        if (!list.Ok) { Refusal ??= list; return; }
        Pools = [.. list.Items];
        NextCursor = list.Json?["nextCursor"] is { } next ? Str(next) : null;
    }
}
