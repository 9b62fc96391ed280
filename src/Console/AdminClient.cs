using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScanLogin.OperatorConsole;

/// <summary>
/// The admin API over HTTP, as curl would call it, with the signed-in operator's key. Every answer comes back as it was
/// given (status, JSON, ETag, the problem's per-field errors); the pages show refusals, they never re-decide them.
/// </summary>
public sealed class AdminClient(HttpClient http, IHttpContextAccessor context)
{
    public Uri BaseAddress => http.BaseAddress!;

    /// <summary>Whether this key is accepted by the admin API (a listing of pools works for both kinds of key).</summary>
    public async Task<bool> AcceptsKeyAsync(string key, CancellationToken cancel = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/v1/pools?limit=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, cancel);
        return response.StatusCode == HttpStatusCode.OK;
    }

    public Task<ApiAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiAnswer> PostAsync(string path, JsonNode? body = null) => SendAsync(HttpMethod.Post, path, body ?? new JsonObject());

    public Task<ApiAnswer> PatchAsync(string path, JsonNode body, string? etag) => SendAsync(HttpMethod.Patch, path, body, etag);

    public Task<ApiAnswer> DeleteAsync(string path, string? etag = null) => SendAsync(HttpMethod.Delete, path, null, etag);

    public async Task<ApiAnswer> PutBytesAsync(string path, byte[] content, string contentType)
    {
        using var request = Request(HttpMethod.Put, path);
        request.Content = new ByteArrayContent(content);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await ReadAsync(request);
    }

    /// <summary>An image (a logo) as bytes; null when there is none or the key does not reach it.</summary>
    public async Task<byte[]?> GetBytesAsync(string path)
    {
        using var request = Request(HttpMethod.Get, path);
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : null;
    }

    /// <summary>A public (keyless) document of the front end, such as a pool's discovery document.</summary>
    public async Task<JsonNode?> GetPublicAsync(string path)
    {
        using var response = await http.GetAsync(path);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, JsonNode? body = null, string? etag = null)
    {
        using var request = Request(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        if (etag is { Length: > 0 }) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return await ReadAsync(request);
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var key = context.HttpContext?.User is { } user ? OperatorSession.KeyOf(user) : null;
        var request = new HttpRequestMessage(method, "admin/v1/" + path.TrimStart('/'));
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private async Task<ApiAnswer> ReadAsync(HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (text.Length > 0)
        {
            try { json = JsonNode.Parse(text); }
            catch (JsonException) { json = new JsonObject { ["detail"] = text.Length > 300 ? text[..300] : text }; }
        }
        return new ApiAnswer((int)response.StatusCode, json, response.Headers.ETag?.ToString());
    }
}

/// <summary>One admin API answer: status, body, ETag; for refusals the problem's code, message and per-field errors.</summary>
public sealed record ApiAnswer(int Status, JsonNode? Json, string? ETag)
{
    public bool Ok => Status is >= 200 and < 300;

    public bool Conflict => Status == 412;

    public string? Code => Ok ? null : ConsolePage.Str((Json as JsonObject)?["code"]);

    public string Message => ConsolePage.Str((Json as JsonObject)?["detail"]) is { Length: > 0 } detail ? detail
        : ConsolePage.Str((Json as JsonObject)?["title"]) is { Length: > 0 } title ? title : $"HTTP {Status}";

    /// <summary>The problem's <c>errors</c>: field name to messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors =>
        !Ok && (Json as JsonObject)?["errors"] is JsonObject errors
            ? errors.ToDictionary(kv => kv.Key, kv => kv.Value is JsonArray a ? a.Select(x => x?.ToString() ?? "").ToArray() : [kv.Value?.ToString() ?? ""],
                StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string[]>();

    public JsonArray Items => Json as JsonArray ?? (Json as JsonObject)?["items"] as JsonArray ?? [];
}
