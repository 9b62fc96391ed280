using System.Security.Cryptography;
using System.Text.Json.Serialization;
using StackExchange.Redis;

// The hand-written QR login back end this project is measured against (deploy/bench.sh http): a random id in
// Redis with a 120 s TTL, reads, and moves by compare-and-set. No logging, one pooled multiplexer, release build.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ReferenceJson.Default));
var redis = await ConnectionMultiplexer.ConnectAsync(builder.Configuration.GetConnectionString("Redis") ?? "127.0.0.1:6379");
builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
var app = builder.Build();
var db = redis.GetDatabase();
var ttl = TimeSpan.FromSeconds(120);

// Moves the status from one of `from` to `to`, keeping the TTL; answers the status it found.
const string MoveScript = """
    local current = redis.call('GET', KEYS[1])
    if not current then return false end
    for i = 2, #ARGV do
      if current == ARGV[i] then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') return ARGV[1] end
    end
    return current
    """;

app.MapGet("/ping", () => "pong");
app.MapPost("/qr", async () =>
{
    var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    await db.StringSetAsync("qr:" + id, "pending", ttl);
    return Results.Json(new QrStatus(id, "pending"), ReferenceJson.Default.QrStatus, statusCode: 201);
});
app.MapGet("/qr/{id}", async (string id) =>
    await db.StringGetAsync("qr:" + id) is { HasValue: true } status
        ? Results.Json(new QrStatus(id, status!), ReferenceJson.Default.QrStatus)
        : Results.NotFound());
app.MapPost("/qr/{id}/scan", (string id) => MoveAsync(id, "scanned", "pending"));
app.MapPost("/qr/{id}/confirm", (string id) => MoveAsync(id, "confirmed", "scanned"));
app.MapPost("/qr/{id}/cancel", (string id) => MoveAsync(id, "cancelled", "pending", "scanned"));
app.Run();

async Task<IResult> MoveAsync(string id, string to, params string[] from)
{
    var found = await db.ScriptEvaluateAsync(MoveScript, ["qr:" + id], [to, .. from.Select(f => (RedisValue)f)]);
    if (found.IsNull) return Results.NotFound();
    var status = (string)found!;
    return status == to
        ? Results.Json(new QrStatus(id, status), ReferenceJson.Default.QrStatus)
        : Results.Json(new QrStatus(id, status), ReferenceJson.Default.QrStatus, statusCode: 409);
}

internal sealed record QrStatus(string Id, string Status);

[JsonSerializable(typeof(QrStatus))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class ReferenceJson : JsonSerializerContext;
