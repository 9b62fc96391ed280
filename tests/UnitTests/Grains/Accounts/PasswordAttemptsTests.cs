using ScanLogin.Grains.Accounts;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Wrong binding passwords counted per (account, WeChat identity): pure rules over the clock.</summary>
public sealed class PasswordAttemptsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan LockFor = TimeSpan.FromMinutes(15);

    [Fact]
    public void The_limit_locks_only_that_identity_out_of_that_account_until_the_lock_passes()
    {
        var attempts = new PasswordAttempts(limit: 3, LockFor);
        for (var i = 0; i < 2; i++) attempts.Fail("user-1", "wx:stranger", T0.AddSeconds(i));
        Assert.False(attempts.IsLocked("user-1", "wx:stranger", T0.AddSeconds(2)));
        attempts.Fail("user-1", "wx:stranger", T0.AddSeconds(2));
        Assert.True(attempts.IsLocked("user-1", "wx:stranger", T0.AddSeconds(3)));
        Assert.False(attempts.IsLocked("user-1", "wx:owner", T0.AddSeconds(3)));
        Assert.False(attempts.IsLocked("user-2", "wx:stranger", T0.AddSeconds(3)));
        Assert.True(attempts.IsLocked("user-1", "wx:stranger", T0.AddSeconds(2) + LockFor - TimeSpan.FromTicks(1)));
        Assert.False(attempts.IsLocked("user-1", "wx:stranger", T0.AddSeconds(2) + LockFor));

        // After a quiet spell as long as the lock, counting starts again from one.
        attempts.Fail("user-1", "wx:stranger", T0.AddSeconds(2) + LockFor);
        attempts.Fail("user-1", "wx:stranger", T0.AddSeconds(3) + LockFor);
        Assert.False(attempts.IsLocked("user-1", "wx:stranger", T0.AddSeconds(4) + LockFor));
    }

    [Fact]
    public void The_right_password_forgets_the_pair_and_a_full_table_drops_what_has_passed_first()
    {
        var attempts = new PasswordAttempts(limit: 2, LockFor, capacity: 4);
        attempts.Fail("user-1", "wx:a", T0);
        attempts.Forget("user-1", "wx:a");
        attempts.Fail("user-1", "wx:a", T0.AddSeconds(1));
        Assert.False(attempts.IsLocked("user-1", "wx:a", T0.AddSeconds(2)));

        // A live lock survives pruning of a full table while older, finished pairs go first.
        attempts.Fail("user-1", "wx:a", T0.AddMinutes(20));
        attempts.Fail("user-1", "wx:a", T0.AddMinutes(20));
        for (var i = 0; i < 3; i++) attempts.Fail("user-9", "wx:" + i, T0);
        attempts.Fail("user-9", "wx:new", T0.AddMinutes(21));
        Assert.True(attempts.IsLocked("user-1", "wx:a", T0.AddMinutes(21)));
    }
}
