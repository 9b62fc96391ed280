using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ScanLogin.OperatorConsole;

/// <summary>What every console page shares: the admin client, the words, the operator, and the API's refusal to show.</summary>
public abstract class ConsolePage(AdminClient admin, ConsoleText text) : PageModel
{
    public AdminClient Admin => admin;

    public ConsoleText T => text;

    /// <summary>The admin API's last refusal on this request: shown at the top, its per-field errors next to their fields.</summary>
    public ApiAnswer? Refusal { get; set; }

    /// <summary>A confirmation of what the last action did.</summary>
    public string? Notice { get; set; }

    public bool IsPlatform => OperatorSession.IsPlatform(User);

    public string? PoolScope => OperatorSession.PoolScope(User);

    /// <summary>The trimmed form value, or null when empty.</summary>
    protected string? Form(string name) => Request.Form[name].ToString().Trim() is { Length: > 0 } v ? v : null;

    /// <summary>What was typed in a field of the posted form (to show it again after a refusal); empty on a GET.</summary>
    public string Typed(string name) => Request.HasFormContentType ? Request.Form[name].ToString() : "";

    protected bool Checked(string name) => Request.Form[name].ToString() == "true";

    protected int? FormInt(string name) => int.TryParse(Form(name), out var n) ? n : null;

    /// <summary>A textarea with one entry a line, as a JSON array.</summary>
    protected JsonArray Lines(string name) =>
        new((Form(name) ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());

    /// <summary>Keeps a refusal for the page; true when the answer was a success.</summary>
    protected bool Accept(ApiAnswer answer)
    {
        if (answer.Ok) return true;
        Refusal = answer;
        return false;
    }

    public bool HasError(string field) => Refusal?.Errors.ContainsKey(field) == true;

    /// <summary>The API's messages for one field, under that field, tied to it by aria-describedby="err-{field}".</summary>
    public IHtmlContent ErrorFor(string field)
    {
        if (Refusal?.Errors.TryGetValue(field, out var messages) != true || messages is null) return HtmlString.Empty;
        var encoded = HtmlEncoder.Default.Encode(string.Join(" ", messages));
        return new HtmlString($"<p class=\"field-error\" id=\"err-{HtmlEncoder.Default.Encode(field)}\">{encoded}</p>");
    }

    /// <summary>aria attributes of an input whose field may carry an error.</summary>
    public IHtmlContent Aria(string field) =>
        HasError(field) ? new HtmlString($"aria-invalid=\"true\" aria-describedby=\"err-{HtmlEncoder.Default.Encode(field)}\"") : HtmlString.Empty;

    /// <summary>A page the key does not reach (or that does not exist) is a plain 404, as the API answers it.</summary>
    protected IActionResult Missing() => NotFound();

    public static string Str(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    public static bool Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public static string When(JsonNode? node) =>
        DateTimeOffset.TryParse(Str(node), out var at) ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'") : "—";

    public static string[] StrArray(JsonNode? node) => node is JsonArray a ? a.Select(Str).ToArray() : [];
}
