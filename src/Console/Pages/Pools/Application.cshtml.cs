using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

public sealed class ApplicationModel(AdminClient admin, ConsoleText text) : ItemPage(admin, text)
{
    [FromRoute] public string PoolId { get; set; } = "";

    [FromRoute] public string AppId { get; set; } = "";

    public JsonNode? App { get; private set; }

    public string? ETag { get; private set; }

    public string? RotatedSecret { get; private set; }

    public string? TryAuthorizeUrl { get; private set; }

    public string? TryStatusUrl { get; private set; }

    public string Issuer { get; private set; } = "";

    /// <summary>Identity sources of the pool that are enabled and switched on for this application.</summary>
    public List<JsonNode?> EnabledSources { get; private set; } = [];

    public IReadOnlyList<(string Id, string Title, string Code)> Snippets { get; private set; } = [];

    private string Base => $"pools/{Uri.EscapeDataString(PoolId)}/applications/{Uri.EscapeDataString(AppId)}";

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Missing();

    public async Task<IActionResult> OnPostSaveAsync()
    {
        var body = new JsonObject
        {
            ["name"] = Form("name"), ["logoUrl"] = Form("logoUrl"), ["allowedOrigins"] = Lines("allowedOrigins"),
            ["callbackUrls"] = Lines("callbackUrls"), ["authingBrowserExchange"] = Checked("authingBrowserExchange"),
        };
        var saved = await Admin.PatchAsync(Base, body, Form("etag"));
        if (Accept(saved)) Notice = T["Saved."];
        return await ShowAsync(saved);
    }

    public async Task<IActionResult> OnPostRotateAsync()
    {
        var rotated = await Admin.SendAsync(HttpMethod.Post, Base + "/secret", null, Form("etag"));
        if (Accept(rotated)) RotatedSecret = Str(rotated.Json?["appSecret"]);
        return await ShowAsync(rotated);
    }

    /// <summary>Opens a try login through the admin API; the page's script opens its authorize URL in a pop-up and polls the status.</summary>
    public async Task<IActionResult> OnPostTryLoginAsync()
    {
        var body = new JsonObject();
        if (Form("identitySource") is { } source) body["identitySource"] = source;
        var opened = await Admin.PostAsync(Base + "/try-login", body);
        var id = Str(opened.Json?["tryLoginId"]);
        var statusUrl = $"/pools/{Uri.EscapeDataString(PoolId)}/applications/{Uri.EscapeDataString(AppId)}/try-login/{Uri.EscapeDataString(id)}";
        if (Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase))
            return opened.Ok
                ? new JsonResult(new { authorizeUrl = Str(opened.Json?["authorizeUrl"]), statusUrl })
                : new JsonResult(opened.Json) { StatusCode = opened.Status };
        // Without the page's script: links to open the login in a new window and to read its result.
        if (Accept(opened)) (TryAuthorizeUrl, TryStatusUrl) = (Str(opened.Json?["authorizeUrl"]), statusUrl);
        return await ShowAsync(opened);
    }

    public Task<IActionResult> OnPostDeleteAsync() => DeleteAsync(Base, "/pools/" + Uri.EscapeDataString(PoolId));

    protected override async Task<bool> LoadAsync()
    {
        var app = await Admin.GetAsync(Base);
        if (!app.Ok) return false;
        (App, ETag) = (app.Json, app.ETag);
        var sources = await Admin.GetAsync($"pools/{Uri.EscapeDataString(PoolId)}/identity-sources?limit=200");
        EnabledSources = [.. sources.Items.Where(s => Bool(s?["enabled"]) && StrArray(s?["applicationIds"]).Contains(AppId))];
        // The issuer as the pool's discovery document states it (the front end's public base URL), else the admin API's address.
        var discovery = await Admin.GetPublicAsync($"oidc/{Uri.EscapeDataString(PoolId)}/.well-known/openid-configuration");
        Issuer = Str(discovery?["issuer"]) is { Length: > 0 } issuer ? issuer : new Uri(Admin.BaseAddress, $"oidc/{PoolId}").ToString();
        Snippets = IntegrationSnippets.For(Issuer, AppId, PoolId, EnabledSources.Select(s => Str(s?["identifier"])).FirstOrDefault() ?? "wechat-scan",
            StrArray(App?["callbackUrls"]).FirstOrDefault(), T);
        return true;
    }
}
