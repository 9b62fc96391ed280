using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

public sealed class SigningKeysModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    [FromRoute] public string PoolId { get; set; } = "";

    public List<JsonNode?> Keys { get; private set; } = [];

    private string Base => $"pools/{Uri.EscapeDataString(PoolId)}/signing-keys";

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Missing();

    public async Task<IActionResult> OnPostRotateAsync()
    {
        var body = new JsonObject();
        if (Form("algorithm") is { } algorithm) body["algorithm"] = algorithm;
        var rotated = await Admin.PostAsync(Base + "/rotate", body);
        if (Accept(rotated)) Notice = T["A new signing key is published."];
        if (!await LoadAsync()) return Missing();
        if (!rotated.Ok) Response.StatusCode = rotated.Status;
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        var keys = await Admin.GetAsync(Base);
        if (keys.Status == 404) return false;
        if (!keys.Ok) Refusal ??= keys;
        Keys = [.. keys.Items];
        return true;
    }
}
