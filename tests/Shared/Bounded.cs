namespace ScanLogin.Tests.Shared;

/// <summary>
/// Bounded waits that say what they saw: when the bound passes, the exception names what was awaited, the bound, and
/// what the system showed at that moment (a status read, a count), instead of a bare "The operation has timed out".
/// </summary>
public static class Bounded
{
    public static async Task<T> WithinAsync<T>(this Task<T> task, TimeSpan bound, string what, Func<Task<string>>? saw = null)
    {
        try
        {
            return await task.WaitAsync(bound);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{what}: not within {bound.TotalSeconds:0.#} s; {await DescribeAsync(saw)}", e);
        }
    }

    public static async Task WithinAsync(this Task task, TimeSpan bound, string what, Func<Task<string>>? saw = null)
    {
        try
        {
            await task.WaitAsync(bound);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{what}: not within {bound.TotalSeconds:0.#} s; {await DescribeAsync(saw)}", e);
        }
    }

    private static async Task<string> DescribeAsync(Func<Task<string>>? saw)
    {
        if (saw is null) return "nothing else to show";
        try
        {
            return "then: " + await saw();
        }
        catch (Exception e)
        {
            return $"then: could not look ({e.GetType().Name}: {e.Message})";
        }
    }
}
