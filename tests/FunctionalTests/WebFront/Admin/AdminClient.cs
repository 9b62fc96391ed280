using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests.Admin;

/// <summary>An operator's HTTP client that also remembers every response body, to prove no secret ever comes back.</summary>
public sealed class AdminClient(HttpClient http) : IDisposable
{
    public List<string> Bodies { get; } = [];

    public async Task<(HttpResponseMessage Response, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        lock (Bodies) Bodies.Add(text);
        return (response, text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json") == true ? JsonNode.Parse(text) : null);
    }

    public async Task<JsonNode> OkAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (response, json) = await SendAsync(method, path, body);
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {json?.ToJsonString()}");
        return json!;
    }

    public async Task<JsonNode> ProblemAsync(HttpMethod method, string path, object? body, HttpStatusCode status, string code, string? ifMatch = null)
    {
        var (response, json) = await SendAsync(method, path, body, ifMatch);
        Assert.True(response.StatusCode == status, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode} {json?.ToJsonString()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, json!["code"]!.GetValue<string>());
        return json;
    }

    public async Task<HttpResponseMessage> PutLogoAsync(string path, byte[] image, string contentType)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await http.PutAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        lock (Bodies) Bodies.Add(text);
        return response;
    }

    public void Dispose() => http.Dispose();

    public static string Json(object? value) => JsonSerializer.Serialize(value);
}
