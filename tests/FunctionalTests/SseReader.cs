using System.Text.Json;

namespace ScanLogin.FunctionalTests;

/// <summary>One server-sent event as the browser's EventSource would dispatch it.</summary>
public sealed record SseEvent(string Type, string? Id, string Data)
{
    public TicketView Ticket => JsonSerializer.Deserialize<TicketView>(Data, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
}

/// <summary>
/// Reads a text/event-stream in the background, keeping every event in arrival order (duplicates included),
/// and lets a test wait for the next one instead of sleeping.
/// </summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<SseEvent> _events = [];
    private readonly Stream _stream;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SseReader(Stream stream)
    {
        _stream = stream;
        Reading = Task.Run(ReadAsync);
    }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Reading { get; }

    public static async Task<SseReader> OpenAsync(HttpClient http, string path) => new(await http.GetStreamAsync(path));

    /// <summary>A copy of everything received so far.</summary>
    public IReadOnlyList<SseEvent> Events
    {
        get { lock (_gate) return [.. _events]; }
    }

    /// <summary>The "status" events only (the heartbeat "ping" events repeat the current status and are left out).</summary>
    public IReadOnlyList<SseEvent> StatusEvents => Events.Where(e => e.Type == "status").ToList();

    /// <summary>The events received so far and whether the stream is still open, for a wait that timed out to report.</summary>
    public string Describe() =>
        $"stream {(Reading.IsCompleted ? "ended" : "still open")}; received: {string.Join(" | ", Events.Select(e => $"{e.Type}#{e.Id} {e.Data}"))}";

    /// <summary>Waits until an event matching the condition has arrived; fails when the stream ends or the bound passes first.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> condition, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_events.FirstOrDefault(condition) is { } found) return found;
                arrived = _arrived.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || Reading.IsCompleted && !arrived.IsCompleted)
                throw new TimeoutException($"No such event; received: {string.Join(" | ", Events.Select(e => $"{e.Type}#{e.Id}"))}");
            await Task.WhenAny(arrived, Reading, Task.Delay(left));
        }
    }

    private async Task ReadAsync()
    {
        using var reader = new StreamReader(_stream);
        string type = "message", data = "";
        string? id = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) Add(new SseEvent(type, id, data.TrimEnd('\n')));
                (type, data, id) = ("message", "", null);
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal)) type = line[6..].Trim();
            else if (line.StartsWith("id:", StringComparison.Ordinal)) id = line[3..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data += line[5..].TrimStart() + "\n";
        }
    }

    private void Add(SseEvent e)
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            _events.Add(e);
            fired = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        fired.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        try { await Reading; } catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { }
    }
}
