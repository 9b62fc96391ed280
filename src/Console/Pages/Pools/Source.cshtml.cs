using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

/// <summary>One identity source ("new" to create one): every field of the admin API, the logo, enable/disable, WeChat health.</summary>
public sealed class SourceModel(AdminClient admin, ConsoleText text) : ItemPage(admin, text)
{
    public const string NewSource = "new";

    [FromRoute] public string PoolId { get; set; } = "";

    [FromRoute] public string Identifier { get; set; } = "";

    public bool IsNew => Identifier == NewSource;

    public JsonNode? Source { get; private set; }

    public string? ETag { get; private set; }

    public List<JsonNode?> Applications { get; private set; } = [];

    /// <summary>After a refused save the form shows what was typed, not what is stored.</summary>
    public bool Posted { get; private set; }

    private string Pool => "pools/" + Uri.EscapeDataString(PoolId);

    private string Base => Pool + "/identity-sources/" + Uri.EscapeDataString(Identifier);

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Missing();

    public async Task<IActionResult> OnPostSaveAsync()
    {
        var body = new JsonObject
        {
            ["displayName"] = Form("displayName"), ["callbackUrl"] = Form("callbackUrl"), ["privateDeployment"] = Checked("privateDeployment"),
            ["miniProgramAppId"] = Form("miniProgramAppId"), ["loginMode"] = Form("loginMode"), ["accountAssociation"] = Form("accountAssociation"),
            ["applicationIds"] = new JsonArray(Request.Form["applicationIds"].Select(a => (JsonNode)JsonValue.Create(a ?? "")!).ToArray()),
        };
        body["ticketLifetimeSeconds"] = FormInt("ticketLifetimeSeconds") is { } n ? n : Form("ticketLifetimeSeconds");
        // Write-only: sent only when typed, so an empty box keeps the stored AppSecret.
        if (Form("miniProgramAppSecret") is { } secret) body["miniProgramAppSecret"] = secret;
        ApiAnswer saved;
        if (IsNew)
        {
            body["identifier"] = Form("identifier");
            body["enabled"] = Checked("enabled");
            saved = await Admin.PostAsync(Pool + "/identity-sources", body);
            if (saved.Ok) return Redirect($"/pools/{Uri.EscapeDataString(PoolId)}/identity-sources/{Uri.EscapeDataString(Str(saved.Json?["identifier"]))}");
        }
        else saved = await Admin.PatchAsync(Base, body, Form("etag"));
        if (Accept(saved)) Notice = T["Saved."];
        else Posted = true;
        return await ShowAsync(saved);
    }

    public async Task<IActionResult> OnPostToggleAsync()
    {
        var toggled = await Admin.PatchAsync(Base, new JsonObject { ["enabled"] = Form("enabled") == "true" }, Form("etag"));
        if (Accept(toggled)) Notice = T["Saved."];
        return await ShowAsync(toggled);
    }

    public async Task<IActionResult> OnPostLogoAsync(IFormFile? logo)
    {
        ApiAnswer uploaded;
        if (logo is null || logo.Length == 0)
            uploaded = new ApiAnswer(400, new JsonObject { ["code"] = "validation_failed", ["detail"] = T["Choose a PNG or JPEG file."],
                ["errors"] = new JsonObject { ["logo"] = new JsonArray(T["Choose a PNG or JPEG file."]) } }, null);
        else
        {
            using var stream = new MemoryStream();
            await logo.CopyToAsync(stream);
            uploaded = await Admin.PutBytesAsync(Base + "/logo", stream.ToArray(), logo.ContentType is "image/jpeg" ? "image/jpeg" : "image/png");
        }
        if (Accept(uploaded)) Notice = T["Logo uploaded."];
        return await ShowAsync(uploaded);
    }

    public Task<IActionResult> OnPostDeleteAsync() => DeleteAsync(Base, "/pools/" + Uri.EscapeDataString(PoolId));

    protected override async Task<bool> LoadAsync()
    {
        var apps = await Admin.GetAsync(Pool + "/applications?limit=200");
        if (!apps.Ok) return false;
        Applications = [.. apps.Items];
        if (IsNew) return true;
        var source = await Admin.GetAsync(Base);
        if (!source.Ok) return false;
        (Source, ETag) = (source.Json, source.ETag);
        return true;
    }
}
