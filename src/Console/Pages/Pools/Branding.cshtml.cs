using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ScanLogin.OperatorConsole.Pages.Pools;

/// <summary>
/// The hosted login's branding of an application (or, without an application, of the pool: the fallback of its
/// applications), saved through the admin API's <c>branding</c> field and logo uploads. The application and pool pages show
/// the same form (<c>_BrandingForm</c>) and post it here; a refusal is shown here, next to its fields.
/// </summary>
public sealed class BrandingModel(AdminClient admin, ConsoleText text) : ItemPage(admin, text)
{
    [FromRoute] public string PoolId { get; set; } = "";

    [FromRoute] public string? AppId { get; set; }

    /// <summary>The application or pool as the admin API answers it.</summary>
    public JsonNode? Item { get; private set; }

    public string? ETag { get; private set; }

    public IReadOnlyList<(string Name, string Url)> Previews => AppId is null ? []
        : [(ConsolePage.Str(Item?["name"]), BrandingForm.PreviewUrl(BrandingForm.FrontEndOf(null, PoolId, Admin.BaseAddress), PoolId, AppId))];

    private string Base => AppId is null
        ? $"pools/{Uri.EscapeDataString(PoolId)}"
        : $"pools/{Uri.EscapeDataString(PoolId)}/applications/{Uri.EscapeDataString(AppId)}";

    private string Back => AppId is null
        ? $"/pools/{Uri.EscapeDataString(PoolId)}#branding"
        : $"/pools/{Uri.EscapeDataString(PoolId)}/applications/{Uri.EscapeDataString(AppId)}#branding";

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Missing();

    public async Task<IActionResult> OnPostSaveAsync()
    {
        var saved = await Admin.PatchAsync(Base, new JsonObject { ["branding"] = FormBranding() }, Form("etag"));
        return Accept(saved) ? Redirect(Back) : await ShowAsync(saved);
    }

    public async Task<IActionResult> OnPostLogoAsync(IFormFile? logo)
    {
        var scheme = Form("scheme") == "dark" ? "dark" : "light";
        var path = $"{Base}/branding/{scheme}/logo";
        ApiAnswer answer;
        if (Form("remove") == "true") answer = await Admin.DeleteAsync(path);
        else if (logo is null || logo.Length == 0)
            answer = new ApiAnswer(400, new JsonObject { ["detail"] = T["Choose a PNG or JPEG image first."] }, null);
        else
        {
            using var bytes = new MemoryStream();
            await logo.CopyToAsync(bytes);
            answer = await Admin.PutBytesAsync(path, bytes.ToArray(), logo.ContentType);
        }
        return Accept(answer) ? Redirect(Back) : await ShowAsync(answer);
    }

    protected override async Task<bool> LoadAsync()
    {
        var item = await Admin.GetAsync(Base);
        if (!item.Ok) return false;
        (Item, ETag) = (item.Json, item.ETag);
        return true;
    }

    /// <summary>The form as the API's branding object: empty fields are left out (unset, so they fall back).</summary>
    private JsonObject FormBranding()
    {
        var branding = new JsonObject();
        if (Form("title") is { } title) branding["title"] = title;
        if (Form("notice") is { } notice) branding["notice"] = notice;
        foreach (var scheme in new[] { "light", "dark" })
        {
            var theme = new JsonObject();
            if (Form($"{scheme}PrimaryColor") is { } primary) theme["primaryColor"] = primary;
            if (Form($"{scheme}BackgroundColor") is { } background) theme["backgroundColor"] = background;
            if (Form($"{scheme}LogoUrl") is { } logoUrl) theme["logoUrl"] = logoUrl;
            if (theme.Count > 0) branding[scheme] = theme;
        }
        return branding;
    }
}
