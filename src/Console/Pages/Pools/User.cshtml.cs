using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

public sealed class UserModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    [FromRoute] public string PoolId { get; set; } = "";

    [FromRoute] public string UserId { get; set; } = "";

    public JsonNode? UserRecord { get; private set; }

    public List<JsonNode?> Identities { get; private set; } = [];

    private string Base => $"pools/{Uri.EscapeDataString(PoolId)}/users/{Uri.EscapeDataString(UserId)}";

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Missing();

    public async Task<IActionResult> OnPostBlockAsync()
    {
        var changed = await Admin.PostAsync(Base + (Form("blocked") == "true" ? "/block" : "/unblock"));
        if (Accept(changed)) Notice = T["Saved."];
        return await ShowAsync(changed);
    }

    public async Task<IActionResult> OnPostUnbindAsync()
    {
        var removed = await Admin.DeleteAsync(Base + "/identities/" + Uri.EscapeDataString(Form("subject") ?? ""));
        if (Accept(removed)) Notice = T["Identity unbound."];
        return await ShowAsync(removed);
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        var deleted = await Admin.DeleteAsync(Base);
        if (Accept(deleted)) return Redirect($"/pools/{Uri.EscapeDataString(PoolId)}/users");
        return await ShowAsync(deleted);
    }

    private async Task<IActionResult> ShowAsync(ApiAnswer answer)
    {
        if (!await LoadAsync()) return Missing();
        if (!answer.Ok) Response.StatusCode = answer.Status;
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        var user = await Admin.GetAsync(Base);
        if (!user.Ok) return false;
        UserRecord = user.Json;
        Identities = [.. (await Admin.GetAsync(Base + "/identities")).Items];
        return true;
    }
}
