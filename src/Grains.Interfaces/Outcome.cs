namespace ScanLogin.Grains.Interfaces;

/// <summary>A grain's answer: a value, or a failure the caller can show. Cheaper and clearer than exceptions across the wire.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Outcome`1")]
public sealed record Outcome<T>(
    [property: Id(0)] T? Value,
    [property: Id(1)] Failure? Failure)
{
    public bool Succeeded => Failure is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}

/// <summary>A stable machine-readable code (see <see cref="FailureCodes"/>) and a sentence for people.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Failure")]
public sealed record Failure(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message)
{
    /// <summary>Set when the answer is "not now": how long to wait (HTTP Retry-After).</summary>
    [Id(2)] public TimeSpan? RetryAfter { get; init; }
}
