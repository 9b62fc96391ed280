namespace ScanLogin.Grains;

/// <summary>
/// The clock the product's own times run on: ticket deadlines, token and authorization-code lifetimes, signing-key
/// rotation, the hosted and mini-program logins. Kept apart from the runtime's TimeProvider so tests can move product
/// time without moving Orleans' timeouts and membership.
/// </summary>
public sealed class ProductClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;

    public DateTimeOffset Now => Time.GetUtcNow();
}
