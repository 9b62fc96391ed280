namespace ScanLogin.Grains.Interfaces;

/// <summary>How an identity source's WeChat calls are going, for the operator's admin view.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.WeChatHealth")]
public sealed record WeChatHealth(
    [property: Id(0)] string? LastErrorCode,
    [property: Id(1)] string? LastErrorMessage,
    [property: Id(2)] DateTimeOffset? LastErrorAt,
    [property: Id(3)] int ConsecutiveFailures,
    [property: Id(4)] DateTimeOffset? NextAttemptAt,
    [property: Id(5)] DateTimeOffset? LastSuccessAt);

/// <summary>Exponential pauses after consecutive WeChat failures: 1 s, 2 s, 4 s, ... at most 5 minutes.</summary>
public static class WeChatBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    public static TimeSpan After(int consecutiveFailures) =>
        consecutiveFailures <= 0 ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(Max.Ticks, First.Ticks << Math.Min(consecutiveFailures - 1, 20)));
}
