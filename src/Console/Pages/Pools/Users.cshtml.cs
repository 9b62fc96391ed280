using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

public sealed class UsersModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    private static readonly string[] SearchFields = ["phone", "email", "username", "openId", "unionId"];

    [FromRoute] public string PoolId { get; set; } = "";

    public List<JsonNode?> Users { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public bool Searched { get; private set; }

    public string? Open { get; private set; }

    public JsonArray? ImportResults { get; private set; }

    private string Base => $"pools/{Uri.EscapeDataString(PoolId)}/users";

    public async Task<IActionResult> OnGetAsync(string? cursor) => await ListAsync(cursor) ? Page() : Missing();

    public async Task<IActionResult> OnPostSearchAsync()
    {
        var field = SearchFields.Contains(Form("field")) ? Form("field")! : "phone";
        var found = await Admin.PostAsync(Base + "/search", new JsonObject { [field] = Form("value") ?? "" });
        if (found.Status == 404) return Missing();
        Searched = true;
        if (Accept(found)) Users = [.. found.Items];
        else Response.StatusCode = found.Status;
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var body = new JsonObject();
        foreach (var field in new[] { "username", "email", "phone", "nickname", "password" })
            if (Form(field) is { } value) body[field] = value;
        var created = await Admin.PostAsync(Base, body);
        if (created.Ok) return Redirect($"/pools/{Uri.EscapeDataString(PoolId)}/users/{Uri.EscapeDataString(Str(created.Json?["id"]))}");
        Accept(created);
        Open = "create";
        return await ShowAsync(created);
    }

    public async Task<IActionResult> OnPostImportAsync()
    {
        Open = "import";
        JsonNode? users;
        try { users = JsonNode.Parse(Form("json") ?? ""); }
        catch (JsonException e) { users = null; Notice = null; Refusal = Local("users", T["Not valid JSON: "] + e.Message); }
        if (users is not null)
        {
            // The API takes {users: [...]}; an operator may paste either that or the bare array.
            var body = users is JsonArray ? new JsonObject { ["users"] = users } : users;
            var imported = await Admin.PostAsync(Base + "/import", body);
            if (Accept(imported))
            {
                ImportResults = imported.Json?["results"] as JsonArray;
                Notice = string.Format(T["{0} created, {1} refused."], Str(imported.Json?["created"]), Str(imported.Json?["failed"]));
            }
            return await ShowAsync(imported);
        }
        return await ShowAsync(Refusal!);
    }

    private ApiAnswer Local(string field, string message) =>
        new(400, new JsonObject { ["code"] = "validation_failed", ["detail"] = message, ["errors"] = new JsonObject { [field] = new JsonArray(message) } }, null);

    private async Task<IActionResult> ShowAsync(ApiAnswer answer)
    {
        if (!await ListAsync(null)) return Missing();
        if (!answer.Ok) Response.StatusCode = answer.Status;
        return Page();
    }

    private async Task<bool> ListAsync(string? cursor)
    {
        var list = await Admin.GetAsync(Base + "?limit=50" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
        if (list.Status == 404) return false;
        if (!list.Ok) { Refusal ??= list; return true; }
        Users = [.. list.Items];
        NextCursor = list.Json?["nextCursor"] is { } next ? Str(next) : null;
        return true;
    }
}
