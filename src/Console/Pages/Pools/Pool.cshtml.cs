using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

public sealed class PoolModel(AdminClient admin, ConsoleText text) : ItemPage(admin, text)
{
    [FromRoute] public string PoolId { get; set; } = "";

    public JsonNode? Pool { get; private set; }

    public string? ETag { get; private set; }

    public List<JsonNode?> Applications { get; private set; } = [];

    public List<JsonNode?> Sources { get; private set; } = [];

    public List<JsonNode?> ApiKeys { get; private set; } = [];

    /// <summary>Which create form to keep open (with what was typed) after a refusal.</summary>
    public string? Open { get; private set; }

    public string? CreatedSecret { get; private set; }

    public string? CreatedAppId { get; private set; }

    public string? CreatedKey { get; private set; }

    private string Base => "pools/" + Uri.EscapeDataString(PoolId);

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Missing();

    public async Task<IActionResult> OnPostSaveAsync()
    {
        var body = new JsonObject { ["name"] = Form("name"), ["browserExchange"] = Checked("browserExchange") };
        body["tokenLifetimeSeconds"] = FormInt("tokenLifetimeSeconds") is { } n ? n : Form("tokenLifetimeSeconds");
        var saved = await Admin.PatchAsync(Base, body, Form("etag"));
        if (Accept(saved)) Notice = T["Saved."];
        return await ShowAsync(saved);
    }

    public Task<IActionResult> OnPostDeleteAsync() => DeleteAsync(Base, "/");

    public async Task<IActionResult> OnPostCreateApplicationAsync()
    {
        var body = new JsonObject { ["name"] = Form("name"), ["allowedOrigins"] = Lines("allowedOrigins"), ["callbackUrls"] = Lines("callbackUrls") };
        var created = await Admin.PostAsync(Base + "/applications", body);
        if (Accept(created))
        {
            // Rendered in this answer only: the secret is never kept by the console nor shown again.
            CreatedSecret = Str(created.Json?["appSecret"]);
            CreatedAppId = Str(created.Json?["application"]?["appId"]);
        }
        else Open = "app";
        return await ShowAsync(created);
    }

    public async Task<IActionResult> OnPostCreateKeyAsync()
    {
        var created = await Admin.PostAsync(Base + "/api-keys", new JsonObject { ["name"] = Form("keyName") });
        if (Accept(created)) CreatedKey = Str(created.Json?["key"]);
        return await ShowAsync(created);
    }

    public async Task<IActionResult> OnPostRevokeKeyAsync()
    {
        var revoked = await Admin.DeleteAsync(Base + "/api-keys/" + Uri.EscapeDataString(Form("keyId") ?? ""));
        if (Accept(revoked)) Notice = T["Key revoked."];
        return await ShowAsync(revoked);
    }

    protected override async Task<bool> LoadAsync()
    {
        var pool = await Admin.GetAsync(Base);
        if (!pool.Ok) return false;
        (Pool, ETag) = (pool.Json, pool.ETag);
        var apps = Admin.GetAsync(Base + "/applications?limit=200");
        var sources = Admin.GetAsync(Base + "/identity-sources?limit=200");
        Applications = [.. (await apps).Items];
        Sources = [.. (await sources).Items];
        if (IsPlatform) ApiKeys = [.. (await Admin.GetAsync(Base + "/api-keys")).Items];
        return true;
    }
}
