using Microsoft.Extensions.Logging;
using ScanLogin.Grains.Access;
using ScanLogin.Grains.RateLimits;
using ScanLogin.Grains.Tickets;
using ScanLogin.Grains.WeChat;

namespace ScanLogin.Grains.Accounts;

/// <summary>
/// A login inside the mini program: the same steps a ticket's scan and confirm take (the source's usability rule,
/// jscode2session with the source's own mini program, the per-WeChat-user limit, the phone number, the pool's account
/// decision), then the pool's issuer signs, as an exchange would. So a person gets the same subject here as by
/// scanning a PC's code, under the same account policy.
/// </summary>
[StatelessWorker]
public sealed class MiniProgramLoginGrain(IWeChatApi wechat, ProductClock clock, ILogger<MiniProgramLoginGrain> logger) : Grain, IMiniProgramLoginGrain
{
    async Task<Outcome<MiniProgramLoginResult>> IMiniProgramLoginGrain.LoginAsync(MiniProgramLoginRequest request)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/');
        var (poolId, identifier) = (key[..slash], key[(slash + 1)..]);

        var runtime = await GrainFactory.GetGrain<IIdentitySourceGrain>(key).GetRuntimeAsync();
        if (AccessPolicy.CheckSource(runtime?.Settings, identifier, request.AppId) is { } unusable) return unusable;
        // The source's application list holds its own pool's applications; an application deleted since must not sign in.
        if (await GrainFactory.GetGrain<IApplicationGrain>(request.AppId).GetAsync() is not { } app || app.PoolId != poolId)
            return new Failure(FailureCodes.ApplicationNotFound, $"Application {request.AppId} does not exist in pool {poolId}.");
        var source = runtime!;
        if (string.IsNullOrEmpty(source.MiniProgramAppId) || string.IsNullOrEmpty(source.MiniProgramAppSecret))
            return new Failure(FailureCodes.WeChatMisconfigured, "The identity source has no mini program configured.");

        // The code is traded with the source's own AppID and secret: a code of any other mini program is 40029.
        var credentials = new WeChatAppCredentials(source.MiniProgramAppId, source.MiniProgramAppSecret);
        var session = await WeChatFailures.CallAsync(() => wechat.Code2SessionAsync(credentials, request.LoginCode), logger);
        if (session.Value is not { } wechatUser) return session.Failure!;
        if (await PhoneAttempts.CheckAsync(GrainFactory, request.AppId, source.MiniProgramAppId, wechatUser.OpenId) is { } tooMany) return tooMany;

        string? phone = null;
        if (request.PhoneCode is { Length: > 0 } phoneCode)
        {
            var number = await WeChatPhoneNumbers.GetAsync(GrainFactory, wechat, source, phoneCode, wechatUser.OpenId, logger);
            if (number.Value is not { } shared) return number.Failure!;
            phone = shared;
        }

        var login = new WeChatLogin(identifier, source.MiniProgramAppId, wechatUser.OpenId, wechatUser.UnionId, phone, null, null,
            source.Settings.LoginMode, source.Settings.Association);
        var resolution = await GrainFactory.GetGrain<IUserPoolGrain>(poolId).ResolveWeChatLoginAsync(login);
        if (resolution.User is { } user)
        {
            var issued = await GrainFactory.GetGrain<ITokenIssuerGrain>(poolId).IssueTokensAsync(
                new TokenRequest(request.AppId, user, TokenRequest.QrLoginScopes, null, clock.Now, [MiniProgramLoginResult.AuthenticationMethod], identifier));
            if (issued.Value is not { } tokens) return issued.Failure!;
            logger.LogInformation("Mini-program login of user {UserId} in pool {PoolId} for application {AppId} through {IdentitySource}",
                user.Id, poolId, request.AppId, identifier);
            return new MiniProgramLoginResult(user, tokens, BindingRequired: false, CanRegister: false, PhoneShared: phone is not null);
        }
        if (resolution.Outcome == AccountOutcome.BindingRequired)
            return new MiniProgramLoginResult(null, null, BindingRequired: true, login.LoginMode == LoginMode.LoginAndRegister, phone is not null);
        return resolution.Refusal ?? new Failure(FailureCodes.AccountNotFound, "No account of this pool belongs to this WeChat user.");
    }
}
