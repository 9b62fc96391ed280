using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>Every error the front end sends is the one problem+json shape, Kestrel's own refusals and odd Accept headers included.</summary>
[Collection(SystemCollection.Name)]
public sealed class ErrorShapeTests(SystemFixture system)
{
    [Fact]
    public async Task An_xml_only_client_still_gets_problem_json()
    {
        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
                 {
                     (HttpMethod.Post, "/api/tickets", "{\"appId\": "),       // unreadable JSON: the framework's 400
                     (HttpMethod.Get, "/no/such/route", null),               // 404 from status code pages
                     (HttpMethod.Delete, "/api/tickets", null),              // 405
                     (HttpMethod.Get, "/api/tickets/short", null),           // a handler's own problem
                 })
        {
            var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            request.Headers.Accept.ParseAdd("application/xml");
            var response = await system.A.SendAsync(request);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal((int)response.StatusCode, json["status"]!.GetValue<int>());
            Assert.False(string.IsNullOrEmpty(json["code"]?.GetValue<string>()));
        }
    }

    [Fact]
    public async Task Kestrel_refusals_answer_with_the_problem_shape()
    {
        var port = system.A.BaseAddress!.Port;
        var cases = new (string Request, int Status, string Code)[]
        {
            ($"GET /api/tickets/a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request"),
            ($"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 64 * 1024)}\r\n\r\n", 431, "request_headers_too_large"),
            ($"GET /healthz HTTP/1.1\r\nHost: x\r\n{string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: v\r\n"))}\r\n", 431, "request_headers_too_large"),
            ("GET /healthz HTTP/1.1\r\n\r\n", 400, "malformed_request"),                        // no Host
            ("BREW /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n", 400, "malformed_request"),
        };
        foreach (var (raw, status, code) in cases)
        {
            var (statusLine, headers, body) = await RawAsync(port, raw);
            Assert.True(statusLine.StartsWith($"HTTP/1.1 {status} "), $"{raw[..Math.Min(40, raw.Length)]}: {statusLine}");
            Assert.Contains("content-type: application/problem+json", headers, StringComparison.OrdinalIgnoreCase);
            var json = JsonNode.Parse(body)!;
            Assert.Equal(status, json["status"]!.GetValue<int>());
            Assert.Equal(code, json["code"]!.GetValue<string>());
        }
        // The server still answers normally afterwards.
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync("/healthz")).StatusCode);
    }

    /// <summary>Sends raw bytes (HttpClient refuses to send what Kestrel should refuse) and reads one response.</summary>
    internal static async Task<(string StatusLine, string Headers, string Body)> RawAsync(int port, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var memory = new MemoryStream();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            int read;
            try { read = await stream.ReadAsync(buffer, timeout.Token); }
            catch (IOException) { break; }
            if (read == 0) break;
            memory.Write(buffer, 0, read);
            var text = Encoding.UTF8.GetString(memory.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var head = text[..end];
            var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase))
                .Select(p => int.Parse(p[1].Trim())).FirstOrDefault();
            if (Encoding.UTF8.GetByteCount(text) - Encoding.UTF8.GetByteCount(head) - 4 >= length)
            {
                var lines = head.Split("\r\n", 2);
                return (lines[0], lines.Length > 1 ? lines[1] : "", text[(end + 4)..]);
            }
        }
        var all = Encoding.UTF8.GetString(memory.ToArray());
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return split < 0 ? (all, "", "") : (all[..all.IndexOf("\r\n", StringComparison.Ordinal)], all[..split], all[(split + 4)..]);
    }
}
