using System.Text.Json.Nodes;

namespace ScanLogin.OperatorConsole;

/// <summary>What the branding form shows: the page (for words and field errors), whose branding it is, the stored branding and its ETag.</summary>
public sealed record BrandingForm(ConsolePage Page, string PoolId, string? AppId, JsonNode? Branding, string? ETag,
    IReadOnlyList<(string Name, string Url)> Previews)
{
    /// <summary>The front end's preview of an application's branded login card (no ticket, no script).</summary>
    public static string PreviewUrl(string frontEnd, string poolId, string appId) =>
        $"{frontEnd.TrimEnd('/')}/oidc/{Uri.EscapeDataString(poolId)}/branding/{Uri.EscapeDataString(appId)}/preview";

    /// <summary>The front end's public address: the issuer without its /oidc/{pool} tail, else the admin API's address.</summary>
    public static string FrontEndOf(string? issuer, string poolId, Uri adminBase)
    {
        var tail = "/oidc/" + poolId;
        return issuer is not null && issuer.EndsWith(tail, StringComparison.Ordinal) ? issuer[..^tail.Length] : adminBase.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>What the field shows: what was typed when a refused post shows the form again, else the stored value.</summary>
    public string Shown(string formName, JsonNode? stored) =>
        Page.Request.HasFormContentType && Page.Request.Form.ContainsKey(formName) ? Page.Typed(formName) : ConsolePage.Str(stored);

    public string Value(string scheme, string member) =>
        Shown(scheme + char.ToUpperInvariant(member[0]) + member[1..], Branding?[scheme]?[member]);

    public string? LogoHash(string scheme) => Branding?[scheme]?["logoHash"] is { } hash ? ConsolePage.Str(hash) : null;
}
