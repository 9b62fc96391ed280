using System.Diagnostics;
using System.Net.Http.Json;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Push;

namespace ScanLogin.Benchmarks;

/// <summary>
/// Many browsers long-polling at once on one front end: memory and threads per waiting request (the design says
/// a waiter is a cheap local task, no grain call and no thread), and how fast a parked browser wakes on confirm.
/// </summary>
public static class Waiters
{
    private sealed record Created(string TicketId);

    public static async Task RunAsync(HttpClient http, TicketFeed feed, EmulatorHost emulator, object create, int count)
    {
        var tickets = new string[count];
        var (heapBeforeTickets, _) = Measure();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            tickets[i] = (await (await http.PostAsJsonAsync("/api/tickets", create)).Content.ReadFromJsonAsync<Created>())!.TicketId);

        var (heapWithTickets, _) = Measure();
        using var browsers = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = count + 16 }) { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        using var stop = new CancellationTokenSource();
        var (memoryBefore, threadsBefore) = Measure();
        var clock = Stopwatch.StartNew();
        // Each browser notes the moment its answer arrived.
        var waiting = tickets.Select(id => browsers.GetAsync($"/api/tickets/{id}/wait?version=1&timeout=60", stop.Token)
            .ContinueWith(t => (Response: t, At: clock.Elapsed), TaskScheduler.Default)).ToArray();
        var parked = Stopwatch.StartNew();
        while (feed.WatchedCount < count && parked.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        var (memoryAfter, threadsAfter) = Measure();

        var wakes = new List<double>();
        for (var i = 0; i < Math.Min(100, count); i++)
        {
            var loginCode = await emulator.LoginCodeAsync(await emulator.CreateUserAsync(phone: null));
            // The scan wakes the browser (version 1 -> 2): from the moment the phone sends it to the browser's answer.
            var sent = clock.Elapsed;
            (await http.PostAsJsonAsync($"/api/mini-program/tickets/{tickets[i]}/scan", new { loginCode })).EnsureSuccessStatusCode();
            var (response, at) = await waiting[i];
            (await response).EnsureSuccessStatusCode();
            wakes.Add((at - sent).TotalMilliseconds);
        }
        await stop.CancelAsync();

        Console.WriteLine($"live tickets: {count} created, managed heap {heapBeforeTickets / 1e6:F1} MB -> {heapWithTickets / 1e6:F1} MB = " +
                          $"{(heapWithTickets - heapBeforeTickets) / (double)count:F0} bytes per live ticket (grain activation and state)");
        Console.WriteLine($"waiting browsers: {count} long-polls parked on one front end in {parked.Elapsed.TotalSeconds:F1} s ({feed.WatchedCount} tickets watched)");
        Console.WriteLine($"managed heap: {memoryBefore / 1e6:F1} MB -> {memoryAfter / 1e6:F1} MB = {(memoryAfter - memoryBefore) / (double)count:F0} bytes per waiting browser (silo, front end and client in one process)");
        Console.WriteLine($"threads: {threadsBefore} -> {threadsAfter}");
        var sorted = wakes.Order().ToList();
        Console.WriteLine($"parked browser hears the scan, {sorted.Count} samples (from scan sent): p50 {sorted[sorted.Count / 2]:F1} ms, p99 {sorted[(int)(sorted.Count * 0.99) - 1]:F1} ms");
    }

    private static (long Memory, int Threads) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (GC.GetTotalMemory(true), Process.GetCurrentProcess().Threads.Count);
    }
}
