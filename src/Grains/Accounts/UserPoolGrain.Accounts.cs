using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.Accounts;

/// <summary>
/// Account decisions in batches. Every account request interleaves: it joins a waiting list and returns when its batch
/// is decided. One batch runs at a time: one look-up round trip, a pure decision over the whole batch in arrival order
/// (<see cref="AccountBatch"/>), one transaction. Requests arriving meanwhile form the next batch, so the pool grain
/// stays the single decider without becoming a queue of single round trips, and reads never wait behind it.
/// </summary>
public sealed partial class UserPoolGrain
{
    private readonly List<(AccountRequest Request, TaskCompletionSource<AccountDecision> Done)> _waiting = [];
    private bool _deciding;
    private PasswordAttempts? _passwordAttempts;
    private PasswordAttempts Attempts => _passwordAttempts ??= new(_accountOptions.FailuresBeforeLock, _accountOptions.LockDuration);

    async Task<AccountResolution> IUserPoolGrain.ResolveWeChatLoginAsync(WeChatLogin login)
    {
        if (Pool.Value is null) return Refused(FailureCodes.UserPoolNotFound, $"User pool {PoolId} does not exist.");
        return (await DecideAsync(new AccountRequest.Login(login))).Resolution;
    }

    async Task<AccountResolution> IUserPoolGrain.BindWithPasswordAsync(WeChatLogin login, string account, string password)
    {
        if (Pool.Value is null) return Refused(FailureCodes.UserPoolNotFound, $"User pool {PoolId} does not exist.");
        var typed = account.Trim().ToLowerInvariant();
        var user = await _users.FindByAccountAsync(PoolId, typed);
        // Counted per (account, WeChat identity): a stranger's wrong passwords lock only the stranger. An unknown account is
        // counted by what was typed, so it behaves exactly like a known one.
        var (accountKey, identity) = (user?.Id ?? "typed:" + typed, $"{login.MiniProgramAppId}:{login.OpenId}");
        // The hash is slow on purpose: run it off the grain's turn. Always run, locked or unknown, so the time tells nothing.
        var valid = await Task.Run(() => _passwords.Verify(user?.PasswordHash, password));
        var now = _time.GetUtcNow();
        if (Attempts.IsLocked(accountKey, identity, now) || !valid)
        {
            if (!valid) Attempts.Fail(accountKey, identity, now);
            if (Attempts.IsLocked(accountKey, identity, now))
                _logger.LogInformation("Binding sign-in of pool {PoolId} refused for an identity after repeated wrong passwords", PoolId);
            // Unknown, wrong and locked answer alike: the page cannot tell which accounts exist or are being guessed.
            return Refused(FailureCodes.InvalidCredentials, "The account or the password is wrong.");
        }
        Attempts.Forget(accountKey, identity);
        if (user!.FailedPasswords > 0) await _users.ResetPasswordFailuresAsync(PoolId, user.Id);
        return (await DecideAsync(new AccountRequest.Bind(login, user.Id))).Resolution;
    }

    async Task<AccountResolution> IUserPoolGrain.RegisterForBindingAsync(WeChatLogin login, NewAccount account)
    {
        if (Pool.Value is null) return Refused(FailureCodes.UserPoolNotFound, $"User pool {PoolId} does not exist.");
        if (login.LoginMode == LoginMode.LoginOnly)
            return Refused(FailureCodes.RegistrationDisabled, "This identity source does not create accounts; sign in to an existing one.");
        var hash = account.Password is { } password ? await Task.Run(() => _passwords.Hash(password)) : null;
        var normal = new NewAccount(AccountNames.Username(account.Username), AccountNames.Email(account.Email), null, account.Nickname, account.AvatarUrl,
            null, hash);
        return (await DecideAsync(new AccountRequest.Register(login, normal))).Resolution;
    }

    /// <summary>Adds a request to the next batch, starting the batch loop if it is idle.</summary>
    private Task<AccountDecision> DecideAsync(AccountRequest request)
    {
        var done = new TaskCompletionSource<AccountDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Add((request, done));
        if (!_deciding)
        {
            _deciding = true;
            _ = DecideWaitingAsync();
        }
        return done.Task;
    }

    private async Task DecideWaitingAsync()
    {
        try
        {
            while (_waiting.Count > 0)
            {
                var batch = _waiting.Take(_accountOptions.MaxBatchSize).ToList();
                _waiting.RemoveRange(0, batch.Count);
                await DecideBatchAsync(batch);
            }
        }
        finally
        {
            _deciding = false;
        }
    }

    private async Task DecideBatchAsync(List<(AccountRequest Request, TaskCompletionSource<AccountDecision> Done)> batch)
    {
        var requests = batch.Select(b => b.Request).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var snapshot = await _users.LookupAsync(PoolId, AccountBatch.KeysOf(requests));
                var (decisions, changes) = AccountBatch.Decide(PoolId, requests, snapshot, _time.GetUtcNow(), Secrets.NewId);
                await _users.CommitAsync(changes);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(decisions[i]);
                _logger.LogDebug("Pool {PoolId} decided {Count} account requests: {Created} users created, {Bound} identities bound",
                    PoolId, batch.Count, changes.NewUsers.Count, changes.NewLinks.Count);
                return;
            }
            catch (AccountConflictException e) when (attempt < 3)
            {
                // Someone else wrote first (another activation during a fail-over, an operator): look again and re-decide.
                _logger.LogInformation("Account batch of pool {PoolId} conflicted ({Reason}); deciding it again", PoolId, e.Message);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Account batch of pool {PoolId} failed", PoolId);
                var failed = new AccountDecision(Refused(FailureCodes.AccountsUnavailable, "The account store is unavailable; try again."), null);
                foreach (var (_, done) in batch) done.TrySetResult(failed);
                return;
            }
        }
    }

    private static AccountResolution Refused(string code, string message) => new(AccountOutcome.Refused, null, new Failure(code, message));
}
