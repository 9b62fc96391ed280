using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

public sealed class UserModel(AdminClient admin, ConsoleText text) : ItemPage(admin, text)
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

    public Task<IActionResult> OnPostDeleteAsync() => DeleteAsync(Base, $"/pools/{Uri.EscapeDataString(PoolId)}/users");

    protected override async Task<bool> LoadAsync()
    {
        var user = await Admin.GetAsync(Base);
        if (!user.Ok) return false;
        UserRecord = user.Json;
        Identities = [.. (await Admin.GetAsync(Base + "/identities")).Items];
        return true;
    }
}
