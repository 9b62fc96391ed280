using Microsoft.Extensions.Logging;

namespace ScanLogin.Grains.Accounts;

/// <summary>
/// One pool. Not reentrant: logins of the pool are resolved one at a time, which is what makes
/// "look up, then create" safe; the store's unique keys back that up.
/// </summary>
public sealed class UserPoolGrain(
    [PersistentState("pool", StorageNames.Configuration)] IPersistentState<UserPoolState> state,
    IUserStore users,
    TimeProvider time,
    ILogger<UserPoolGrain> logger) : Grain, IUserPoolGrain
{
    Task<UserPoolSettings?> IUserPoolGrain.GetSettingsAsync() => Task.FromResult(state.State.Settings);

    async Task IUserPoolGrain.SaveSettingsAsync(UserPoolSettings settings)
    {
        state.State = new UserPoolState { Settings = settings with { PoolId = this.GetPrimaryKeyString() } };
        await state.WriteStateAsync();
    }

    Task<UserProfile?> IUserPoolGrain.GetUserAsync(string userId) => users.GetAsync(this.GetPrimaryKeyString(), userId);

    async Task<AccountResolution> IUserPoolGrain.ResolveWeChatLoginAsync(WeChatLogin login)
    {
        var poolId = this.GetPrimaryKeyString();
        if (state.State.Settings is null)
            return new AccountResolution(AccountOutcome.Refused, null, new Failure(FailureCodes.UserPoolNotFound, $"User pool {poolId} does not exist."));

        var linked = await users.FindByIdentityAsync(poolId, login.Subject);
        var samePhone = linked is null && AccountPolicy.NeedsPhoneMatch(login) ? await users.FindByPhoneAsync(poolId, login.Phone!) : null;
        var identity = new IdentityLink(poolId, "wechat", login.Subject, login.IdentitySource, login.OpenId, login.UnionId);
        var now = time.GetUtcNow();

        switch (AccountPolicy.Decide(login, linked, samePhone))
        {
            case AccountDecision.SignIn signIn:
                return new AccountResolution(AccountOutcome.SignedIn, await users.RecordLoginAsync(poolId, signIn.User.Id, now) ?? signIn.User, null);
            case AccountDecision.Link link:
                var linkedTo = await users.LinkIdentityAsync(identity, link.User.Id);
                logger.LogInformation("Linked a WeChat identity to user {UserId} of pool {PoolId} by phone", linkedTo.Id, poolId);
                return new AccountResolution(AccountOutcome.Linked, await users.RecordLoginAsync(poolId, linkedTo.Id, now) ?? linkedTo, null);
            case AccountDecision.Refuse refuse:
                return new AccountResolution(AccountOutcome.Refused, null, refuse.Failure);
            default:
                try
                {
                    var created = await users.CreateWithIdentityAsync(
                        new NewUser(poolId, Secrets.NewId(), login.Nickname, login.AvatarUrl, login.Phone, now), identity);
                    logger.LogInformation("Created user {UserId} in pool {PoolId}", created.Id, poolId);
                    return new AccountResolution(AccountOutcome.Created, await users.RecordLoginAsync(poolId, created.Id, now) ?? created, null);
                }
                catch (PhoneInUseException e)
                {
                    return new AccountResolution(AccountOutcome.Refused, null, new Failure(FailureCodes.PhoneInUse, e.Message));
                }
        }
    }
}

[GenerateSerializer, Alias("ScanLogin.UserPoolState")]
public sealed class UserPoolState
{
    [Id(0)] public UserPoolSettings? Settings { get; set; }
}
