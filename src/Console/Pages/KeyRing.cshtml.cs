using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages;

/// <summary>The secret-encryption key ring (platform key only; a pool key gets the API's 403, shown as such).</summary>
public sealed class KeyRingModel(AdminClient admin, ConsoleText text) : ConsolePage(admin, text)
{
    public JsonNode? Ring { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await ShowAsync(await Admin.GetAsync("key-ring"));

    public async Task<IActionResult> OnPostRotateAsync()
    {
        var rotated = await Admin.PostAsync("key-ring/rotate");
        if (rotated.Ok) Notice = T["A new data key is in use."];
        return await ShowAsync(rotated);
    }

    private Task<IActionResult> ShowAsync(ApiAnswer answer)
    {
        if (Accept(answer)) Ring = answer.Json;
        else Response.StatusCode = answer.Status;
        return Task.FromResult<IActionResult>(Page());
    }
}
