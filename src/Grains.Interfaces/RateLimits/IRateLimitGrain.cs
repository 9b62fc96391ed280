namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// One token bucket per limited thing (a client IP creating tickets for an application, a polled id with no ticket, a
/// WeChat user, an IP failing admin authentication), shared by every front end and silo because it is a grain: the
/// Orleans Voting sample's grain-per-key. The key (see <see cref="RateLimitKeys"/>) names the kind, the application
/// whose rules apply, and the subject; the silo picks the rule from configuration.
/// </summary>
public interface IRateLimitGrain : IGrainWithStringKey
{
    /// <summary>Takes one permit when there is one. A refusal takes nothing, so a client that waits is never locked out.</summary>
    [Alias("TryTake")]
    ValueTask<RateDecision> TryTakeAsync();

    /// <summary>Whether a permit is there, without taking it (admin authentication: only failures take permits).</summary>
    [ReadOnly, Alias("Peek")]
    ValueTask<RateDecision> PeekAsync();

    /// <summary>
    /// Takes up to <paramref name="wanted"/> permits at once for a front end to spend by itself for a short while (a
    /// lease), so a busy key costs one cluster call per batch instead of one per request. Never more than the bucket
    /// holds: what all front ends spend together stays within the rule. A key without a rule answers Unlimited.
    /// </summary>
    [Alias("Lease")]
    ValueTask<RateLease> LeaseAsync(int wanted);
}

/// <summary>
/// Permits granted by a lease (zero: refused, come back after <see cref="RetryAfter"/>); <see cref="Interval"/> is the
/// rule's steady pace; <see cref="Unlimited"/>: no rule applies to this key's kind and application (nothing to count).
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.RateLease")]
public sealed record RateLease(
    [property: Id(0)] int Granted,
    [property: Id(1)] TimeSpan RetryAfter,
    [property: Id(2)] TimeSpan Interval,
    [property: Id(3)] bool Unlimited)
{
    public static readonly RateLease None = new(int.MaxValue, TimeSpan.Zero, TimeSpan.Zero, Unlimited: true);
}

/// <summary>
/// Allowed, or when to come back. <see cref="Interval"/> is the steady pace the rule allows (RFC 8628's polling
/// "interval"), <see cref="RetryAfter"/> the wait until the next permit.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.RateDecision")]
public sealed record RateDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] TimeSpan RetryAfter,
    [property: Id(2)] TimeSpan Interval)
{
    public static readonly RateDecision Unlimited = new(true, TimeSpan.Zero, TimeSpan.Zero);
}

/// <summary>The kinds of limit, and how their grain keys are spelled: <c>kind|applicationId|subject</c>.</summary>
public static class RateLimitKeys
{
    public const string TicketsPerClientIp = "TicketsPerClientIp";
    public const string TicketsPerApplication = "TicketsPerApplication";
    public const string StatusReadsPerTicket = "StatusReadsPerTicket";
    public const string PhoneAttemptsPerClientIp = "PhoneAttemptsPerClientIp";
    public const string PhoneAttemptsPerWeChatUser = "PhoneAttemptsPerWeChatUser";
    public const string AdminAuthFailuresPerClientIp = "AdminAuthFailuresPerClientIp";
    public const string BindingAttemptsPerClientIp = "BindingAttemptsPerClientIp";
    public const string TokenRequestsPerClientIp = "TokenRequestsPerClientIp";
    public const string ScanAttemptsPerTicket = "ScanAttemptsPerTicket";
    public const string QrImagesPerClientIp = "QrImagesPerClientIp";
    public const string UnknownIdsPerClientIp = "UnknownIdsPerClientIp";
    public const string MiniProgramLoginsPerClientIp = "MiniProgramLoginsPerClientIp";
    public const string MiniProgramLoginsPerApplication = "MiniProgramLoginsPerApplication";
    public const string WeChatLinksPerClientIp = "WeChatLinksPerClientIp";
    public const string WeChatLinksPerApplication = "WeChatLinksPerApplication";

    /// <summary>Every kind: the one list configuration, documentation and benchmarks go by.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        TicketsPerClientIp, TicketsPerApplication, StatusReadsPerTicket, PhoneAttemptsPerClientIp, PhoneAttemptsPerWeChatUser,
        AdminAuthFailuresPerClientIp, BindingAttemptsPerClientIp, TokenRequestsPerClientIp, ScanAttemptsPerTicket,
        QrImagesPerClientIp, UnknownIdsPerClientIp,
        MiniProgramLoginsPerClientIp, MiniProgramLoginsPerApplication, WeChatLinksPerClientIp, WeChatLinksPerApplication,
    ];

    public static string Of(string kind, string? applicationId, string subject) => $"{kind}|{applicationId}|{subject}";

    public static (string Kind, string? ApplicationId, string Subject) Parse(string key) =>
        key.Split('|', 3) is [var kind, var app, var subject] ? (kind, app.Length > 0 ? app : null, subject) : (key, null, "");
}
