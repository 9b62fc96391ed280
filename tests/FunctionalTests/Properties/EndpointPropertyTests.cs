using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Xunit;

namespace ScanLogin.FunctionalTests.Properties;

/// <summary>
/// Random and malformed requests against every route of the OpenAPI document (public and admin): ids, query strings,
/// headers and bodies. Properties: never a 5xx; every refusal in the one JSON error shape; a refused request leaves
/// every table as it was. SCANLOGIN_PROPERTY_CASES bounds the cases per property (CI runs the default).
/// </summary>
[Collection(PropertyCollection.Name)]
public sealed class EndpointPropertyTests(PropertyFixture system)
{
    private static readonly long Cases = long.TryParse(Environment.GetEnvironmentVariable("SCANLOGIN_PROPERTY_CASES"), out var n) ? n : 250;

    [Fact]
    public Task Public_endpoints_hold_under_random_input() => CheckAsync(admin: false);

    [Fact]
    public Task Admin_endpoints_hold_under_random_input() => CheckAsync(admin: true);

    private async Task CheckAsync(bool admin)
    {
        var operations = system.Operations.Where(o => o.IsAdmin == admin).ToArray();
        Assert.NotEmpty(operations);
        var gen = Gen.Select(Gen.Int[0, operations.Length - 1], RequestGen.Parts(system), (i, parts) => (operations[i], parts));
        var previousWrote = true;
        // SCANLOGIN_PROPERTY_SURVEY=file: record every violation there instead of stopping at the first (for triage).
        var survey = Environment.GetEnvironmentVariable("SCANLOGIN_PROPERTY_SURVEY");
        await gen.SampleAsync(async t =>
        {
            if (survey is null)
            {
                await CaseAsync(t);
                return;
            }
            try
            {
                await CaseAsync(t);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await File.AppendAllTextAsync(survey, e.Message.Split('\n')[0][..Math.Min(400, e.Message.Split('\n')[0].Length)] + "\n");
            }
        }, iter: Cases, threads: 1, print: t => $"{t.Item1} {t.Item2}");

        async Task CaseAsync((Operation, RequestParts) t)
        {
            var (operation, parts) = t;
            var before = previousWrote ? await SettledFingerprintAsync() : await system.FingerprintAsync();
            using var request = parts.Build(operation, system);
            // A fresh connection per case: a malformed request may leave the server closing its connection (an unread
            // body it will not drain), and a reused connection racing that close fails in the client, not in the server.
            request.Headers.ConnectionClose = true;
            HttpResponseMessage response;
            try
            {
                response = await system.Fuzz.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (TaskCanceledException) when (operation.Path.EndsWith("/wait") || operation.Path.EndsWith("/events"))
            {
                previousWrote = false;
                return; // a long-poll still waiting when the client gave up: no answer is not a wrong answer
            }
            catch (HttpRequestException dropped)
            {
                // A connection that closed before any answer (seen twice in CI-like runs for tiny multipart bodies; cause not
                // found yet). The same request is sent once more on a fresh connection: a server that drops it again fails
                // here with its last log lines; one that answers is held to every rule below, and the drop is reported.
                Console.WriteLine($"property case: {request.Method} {request.RequestUri} dropped once ({dropped.InnerException?.Message ?? dropped.Message}); " +
                    "server log: " + string.Join(" | ", system.Logs.Lines.TakeLast(5)));
                using var again = parts.Build(operation, system);
                again.Headers.ConnectionClose = true;
                try
                {
                    response = await system.Fuzz.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
                }
                catch (HttpRequestException twice)
                {
                    Assert.Fail($"{again.Method} {again.RequestUri}: the server closed the connection twice without answering " +
                        $"({twice.InnerException?.Message ?? twice.Message}); server log: " + string.Join("\n", system.Logs.Lines.TakeLast(10)));
                    return;
                }
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                var described = $"{request.Method} {request.RequestUri} -> {status}";
                Assert.True(status < 500, described + " " + await ReadSomeAsync(response) + "\n"
                    + string.Join("\n", system.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).TakeLast(3)));
                previousWrote = status < 400;
                if (status < 400) return;
                var body = await ReadSomeAsync(response);
                if (IsPageForPeople(operation.Path) && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    // The hosted login's authorize endpoint answers a person's browser: a refusal is a readable page, never a
                    // redirect to an unchecked URI (OpenID Connect Core 3.1.2.6), and still changes nothing. What the edge refuses
                    // before it keeps the problem shape.
                    Assert.True(response.Content.Headers.ContentType?.MediaType == "text/html", $"{described}: {response.Content.Headers.ContentType} {body}");
                    Assert.True(before == await system.FingerprintAsync(), $"{described} changed storage: {body}");
                    return;
                }
                if (IsOAuthProtocolEndpoint(operation.Path) && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    // Token and userinfo answer stock OAuth clients in the protocol's own error shape (RFC 6749 5.2, RFC 6750 3);
                    // what the edge refuses before them keeps the problem shape.
                    Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{described}: {response.Content.Headers.ContentType} {body}");
                    using var oauth = JsonDocument.Parse(body);
                    Assert.True(oauth.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String, $"{described}: {body}");
                    Assert.True(before == await system.FingerprintAsync(), $"{described} changed storage: {body}");
                    return;
                }
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{described}: {response.Content.Headers.ContentType} {body}");
                using var problem = JsonDocument.Parse(body);
                Assert.True(problem.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String, $"{described}: {body}");
                Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
                Assert.True(before == await system.FingerprintAsync(), $"{described} changed storage: {body}");
            }
        }
    }

    private static bool IsPageForPeople(string path) => path.EndsWith("/authorize", StringComparison.Ordinal) || path.EndsWith("/end_session", StringComparison.Ordinal)
        || path.Contains("/connections/", StringComparison.Ordinal);

    private static bool IsOAuthProtocolEndpoint(string path) =>
        path.StartsWith("/oidc/", StringComparison.Ordinal) && (path.EndsWith("/token", StringComparison.Ordinal) || path.EndsWith("/userinfo", StringComparison.Ordinal)
            || path.EndsWith("/revoke", StringComparison.Ordinal));

    /// <summary>A request that succeeded may still be writing (catalog rows after the grain's state): wait until storage is still.</summary>
    private async Task<string> SettledFingerprintAsync()
    {
        var last = await system.FingerprintAsync();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(25);
            var next = await system.FingerprintAsync();
            if (next == last) return next;
            last = next;
        }
        return last;
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream") return "(event stream)";
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 4000));
    }
}

/// <summary>The random parts of one request; <see cref="Build"/> puts them on an operation.</summary>
public sealed record RequestParts(string[] PathValues, (string Name, string Value)[] Query, string? RawQuery,
    (string Name, string Value)[] Headers, string? Authorization, string? ContentType, byte[]? Body)
{
    public HttpRequestMessage Build(Operation operation, PropertyFixture system)
    {
        var index = 0;
        var path = System.Text.RegularExpressions.Regex.Replace(operation.Path, @"\{[^}]+\}", _ => PathValues[index++ % PathValues.Length]);
        var query = RawQuery ?? string.Join("&", Query.Select(q => Uri.EscapeDataString(q.Name) + "=" + Uri.EscapeDataString(q.Value)));
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), path + (query.Length > 0 ? "?" + query : ""));
        foreach (var (name, value) in Headers) request.Headers.TryAddWithoutValidation(name, value);
        var authorization = Authorization?.Replace("{platform}", system.PlatformKey)
            .Replace("{app}", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{system.Tenant.AppId}:{system.Tenant.AppSecret}")));
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            if (ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        return request;
    }

    public override string ToString() =>
        $"path [{string.Join(", ", PathValues.Select(Show))}] query {RawQuery ?? string.Join("&", Query.Select(q => $"{q.Name}={Show(q.Value)}"))} " +
        $"headers [{string.Join(", ", Headers.Select(h => $"{h.Name}: {Show(h.Value)}"))}] auth {Authorization} type {ContentType} " +
        $"body {(Body is null ? "none" : Show(Encoding.UTF8.GetString(Body)))}";

    private static string Show(string s) => JsonSerializer.Serialize(s.Length > 200 ? s[..200] + "..." : s);
}

public static class RequestGen
{
    private static readonly string[] Fields =
    [
        "appId", "identitySource", "code", "loginCode", "scanToken", "phoneCode", "nickname", "avatarUrl", "id", "name", "allowedOrigins",
        "callbackUrls", "logoUrl", "displayName", "identifier", "callbackUrl", "enabled", "privateDeployment", "miniProgramAppId",
        "miniProgramAppSecret", "loginMode", "accountAssociation", "ticketLifetimeSeconds", "applicationIds", "browserExchange",
        "tokenLifetimeSeconds", "description", "scene", "random", "__proto__",
    ];

    /// <summary>Strings a hostile client would try: control characters, NUL, huge, numeric edge cases, traversal, unicode.</summary>
    private static readonly Gen<string> Junk = Gen.OneOf(
        Gen.String[Gen.Char, 0, 24],
        Gen.String[Gen.Char.AlphaNumeric, 1, 40],
        Gen.OneOf("", " ", "\0", "a\0b", "\u0001\u001f", "NaN", "-NaN", "Infinity", "-1", "0", "1e309", "-0", "2147483648",
            "9999999999999999999999", "0x10", "true", "null", "[]", "{}", "../../etc/passwd", "%00", "%2F", "..", "💥👩‍👩‍👧", "\ud800",
            "<script>alert(1)</script>", "' OR 1=1 --", "ａｐｐ", "x".PadRight(300, 'x'), "y".PadRight(5000, 'y')));

    private static Gen<string> Ids(PropertyFixture s) => Gen.OneOf(Junk,
        Gen.OneOf(s.LiveTicketId, s.ScannedTicketId, s.Tenant.PoolId, s.Tenant.AppId, Tenant.Source, "AAAAAAAAAAAAAAAAAAAAAA", "no-such-pool"));

    private static Gen<string> JsonValue(PropertyFixture s, int depth) => Gen.Int[0, depth > 2 ? 5 : 7].SelectMany(kind => kind switch
    {
        0 => Ids(s).Select(v => JsonSerializer.Serialize(v)),
        1 => Gen.OneOf("0", "-1", "1", "30", "120", "1e400", "-0", "3.5", "99999999999999999999", "2147483648"),
        2 => Gen.OneOf("true", "false", "null"),
        3 => Gen.OneOf("\"login_and_register\"", "\"login_only\"", "\"off\"", "\"field_match\"", "\"ask_binding\"", "\"https://a.example/cb\"", "\"http://127.0.0.1:1\""),
        4 => Junk.Select(v => JsonSerializer.Serialize(v)),
        5 => Gen.OneOf(s.ScanToken, s.LiveTicketId + ".x", s.Tenant.AppId).Select(v => JsonSerializer.Serialize(v)),
        6 => JsonValue(s, depth + 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]"),
        _ => JsonObject(s, depth + 1),
    });

    private static Gen<string> JsonObject(PropertyFixture s, int depth) =>
        Gen.Select(Gen.OneOf(Gen.OneOf(Fields), Junk), JsonValue(s, depth), (k, v) => JsonSerializer.Serialize(k) + ":" + v)
            .Array[0, 6].Select(members => "{" + string.Join(",", members) + "}");

    private static Gen<string> BodyText(PropertyFixture s) => Gen.OneOf(
        JsonObject(s, 0),
        JsonObject(s, 0),
        JsonValue(s, 0),
        // Malformed: truncated, trailing commas, duplicate keys, literals JSON does not have, comments, a BOM.
        JsonObject(s, 0).Select(j => j.Length > 2 ? j[..(j.Length / 2)] : "{"),
        Gen.OneOf("", " ", "{", "}", "{,}", "{\"appId\":\"a\",}", "{\"appId\":\"a\",\"appId\":\"b\"}", "{\"code\":NaN}", "{\"timeout\":Infinity}",
            "/* c */ {}", "\ufeff{}", "{\"appId\":\"\\u0000\"}", "[1,2,3]", "\"str\"", "nul", "{\"a\":" + new string('[', 200) + new string(']', 200) + "}"),
        Junk);

    private static Gen<(string, string)[]> QueryGen(PropertyFixture s) =>
        Gen.Select(Gen.OneOf("version", "timeout", "size", "format", "limit", "cursor", "state", "x", ""), Gen.OneOf(Junk, Ids(s)), (k, v) => (k, v)).Array[0, 4];

    private static readonly Gen<(string, string)[]> HeaderGen = Gen.Select(
        Gen.OneOf("X-Browser-Secret", "Idempotency-Key", "If-Match", "If-None-Match", "Origin", "Last-Event-ID", "X-Forwarded-For", "Accept", "Accept-Encoding", "Range"),
        Gen.OneOf(Junk.Where(v => v.All(c => c >= ' ' && c < 127)), Gen.OneOf("\"1\"", "*", "W/\"2\"", "http://127.0.0.1:1", "null", "text/event-stream", "bytes=0-1")),
        (k, v) => (k, v)).Array[0, 3];

    private static readonly Gen<string?> AuthorizationGen = Gen.OneOf(
        Gen.Const<string?>((string?)null),
        Gen.OneOf<string?>("Bearer {platform}", "Bearer {platform}", "Bearer {platform}", "Basic {app}", "Bearer ", "Bearer slk.props-pool.k.s", "Basic !!!", "Basic Og==", "Digest x"),
        Junk.Where(v => v.All(c => c >= ' ' && c < 127)).Select(v => (string?)("Bearer " + v)));

    private static readonly Gen<string?> ContentTypeGen = Gen.OneOf<string?>("application/json", "application/json", "application/json; charset=utf-8",
        null, "text/plain", "image/png", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1");

    public static Gen<RequestParts> Parts(PropertyFixture s) =>
        Gen.Select(Ids(s).Array[1, 3], QueryGen(s), Gen.Int[0, 9], HeaderGen, AuthorizationGen, ContentTypeGen,
            Gen.Select(Gen.Int[0, 5], BodyText(s), Gen.Byte.Array[0, 64], (kind, text, bytes) => kind switch
            {
                0 => null,
                1 => bytes,
                _ => Encoding.UTF8.GetBytes(text),
            }),
            (path, query, raw, headers, auth, type, body) => new RequestParts(
                path.Select(v => raw == 0 ? v : Uri.EscapeDataString(v)).ToArray(), query,
                raw == 1 ? "version=1&version=2&timeout=1e309&limit=-1&cursor=%00" : null, headers, auth, type, body));
}
