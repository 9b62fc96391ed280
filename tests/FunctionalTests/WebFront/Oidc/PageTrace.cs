using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace ScanLogin.FunctionalTests.HostedLogin;

/// <summary>
/// What a page went through (navigations, answers, failed requests, console lines, script errors), with the time since
/// it opened: a browser wait that times out reports it, so a slow or stuck step shows where it stuck.
/// </summary>
public static class PageTrace
{
    private const int Kept = 80;
    private static readonly ConditionalWeakTable<IPage, Trace> Traces = new();

    public static void Attach(IPage page)
    {
        var trace = Traces.GetValue(page, _ => new Trace());
        page.FrameNavigated += (_, frame) => { if (frame.ParentFrame is null) trace.Add($"navigated to {frame.Url}"); };
        page.Response += (_, response) => trace.Add($"{response.Status} {response.Request.Method} {Short(response.Url)}");
        page.RequestFailed += (_, request) => trace.Add($"FAILED {request.Method} {Short(request.Url)}: {request.Failure}");
        page.Console += (_, message) => trace.Add($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => trace.Add($"script error: {error}");
        page.Crash += (_, _) => trace.Add("page crashed");
        page.Close += (_, _) => trace.Add("page closed");
    }

    /// <summary>Where the page is, the hosted login's state and status line if shown, and the trace so far.</summary>
    public static async Task<string> DescribeAsync(IPage page)
    {
        var shown = "";
        try
        {
            shown = page.IsClosed ? "(closed)" : await page.EvaluateAsync<string>(
                "() => { const l = document.getElementById('login'); const s = document.getElementById('status');" +
                " return 'state=' + (l ? l.dataset.state : '(no #login)') + ' status=' + (s ? JSON.stringify(s.textContent) : '(no #status)'); }");
        }
        catch (PlaywrightException e)
        {
            shown = $"(could not read the page: {e.Message.Split('\n')[0]})";
        }
        var lines = Traces.TryGetValue(page, out var trace) ? trace.Lines() : ["(not traced)"];
        return $"page at {page.Url}, {shown}; what it went through:\n  " + string.Join("\n  ", lines);
    }

    /// <summary>Runs a browser wait; when it times out, throws with what the page went through instead of Playwright's bare timeout.</summary>
    public static async Task WaitAsync(IPage page, string what, Func<Task> wait)
    {
        var started = Stopwatch.StartNew();
        try
        {
            await wait();
        }
        catch (Exception e) when (e is PlaywrightException or System.TimeoutException)
        {
            throw new System.TimeoutException($"{what}: not seen after {started.Elapsed.TotalSeconds:0.0} s ({e.Message.Split('\n')[0]}); " +
                await DescribeAsync(page), e);
        }
    }

    private static string Short(string url) => url.Length > 160 ? url[..160] + "…" : url;

    private sealed class Trace
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<string> _lines = new();

        public void Add(string line)
        {
            _lines.Enqueue($"{_clock.Elapsed.TotalSeconds,6:0.000} s {line}");
            while (_lines.Count > Kept) _lines.TryDequeue(out _);
        }

        public string[] Lines() => _lines.ToArray();
    }
}
