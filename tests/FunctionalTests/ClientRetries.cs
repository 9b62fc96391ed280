using System.Net;
using System.Text;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// What a well-behaved client does with "503, try again" (a silo went away under the call): waits as long as Retry-After
/// says (or a short back-off when it says nothing), a bounded number of times, then gives up and says everything it saw.
/// Only 503 and a dropped connection are retried: any other answer is the answer.
/// </summary>
public static class ClientRetries
{
    /// <summary>The longest one wait may be, whatever Retry-After says; and the whole budget of waiting.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Sends a fresh request from <paramref name="next"/> (the attempt number) until one is answered by anything but 503.
    /// Throws with every attempt's outcome when the budget runs out.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(Func<int, Task<HttpResponseMessage>> next, string what)
    {
        var seen = new StringBuilder();
        var waited = TimeSpan.Zero;
        var backOff = TimeSpan.FromMilliseconds(100);
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan wait;
            try
            {
                var response = await next(attempt);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable) return response;
                var retryAfter = response.Headers.RetryAfter?.Delta;
                seen.AppendLine($"  attempt {attempt}: 503 Retry-After {(retryAfter is { } r ? r.TotalSeconds + " s" : "none")}: {await response.Content.ReadAsStringAsync()}");
                wait = retryAfter ?? backOff;
            }
            catch (HttpRequestException e)
            {
                seen.AppendLine($"  attempt {attempt}: {e.GetType().Name}: {e.Message}");
                wait = backOff;
            }
            if (wait > MaxWait) wait = MaxWait;
            if (waited + wait > Budget)
                throw new TimeoutException($"{what}: still unavailable after {attempt + 1} attempts and {waited.TotalSeconds:0.#} s of waiting:\n{seen}");
            // A client waiting out Retry-After against a real server: real time is what it waits in.
            await Task.Delay(wait);
            waited += wait;
            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }
}
