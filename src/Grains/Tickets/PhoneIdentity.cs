using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Access;
using ScanLogin.Grains.RateLimits;
using ScanLogin.Grains.WeChat;

namespace ScanLogin.Grains.Tickets;

/// <summary>
/// Who the phone is in WeChat, for one ticket: its login code turned into a session (after the ticket's own attempt
/// bucket, so junk codes cannot spend the tenant's WeChat quota), the per-WeChat-user attempt limit, the phone number
/// behind a phone-number code, and the scan token the phone proves itself with later. Made by the ticket grain at its
/// first phone action: most tickets never see a phone.
/// </summary>
public sealed class PhoneIdentity(IGrainFactory grains, IServiceProvider services, IOptionsMonitor<RateLimitOptions> rateLimits, RateLimitClock rateClock,
    ILogger logger)
{
    private const string ScanCodePurpose = "scan-code";
    private const string ScanTokenPurpose = "scan-token";

    // Resolved at the first WeChat call, not per activation: the WeChat client is a typed HttpClient (a new client,
    // URI and cancellation source per resolution, kept by the activation's service scope).
    private IWeChatApi? _wechat;
    // Login codes this ticket sent to WeChat: counted before jscode2session.
    private TokenBucket? _scanAttempts;

    public IWeChatApi WeChat => _wechat ??= services.GetRequiredService<IWeChatApi>();

    /// <summary>What a scan that WeChat accepted leaves: the scanner to store and the token handed to the phone.</summary>
    public sealed record Scan(Scanner Scanner, string ScanToken)
    {
        public override string ToString() => "Scan { }";
    }

    public static string HashScanCode(string loginCode) => Secrets.Hash(ScanCodePurpose, loginCode);

    public static string HashScanToken(string scanToken) => Secrets.Hash(ScanTokenPurpose, scanToken);

    /// <summary>
    /// The scan token is derived from the login code (which only the phone and this server saw) and the ticket, so a
    /// retried scan gets the same token back although only hashes are stored.
    /// </summary>
    public static string ScanTokenFor(string ticketId, string loginCode) =>
        Secrets.Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes("scan-token-key:" + loginCode), Encoding.UTF8.GetBytes(ticketId)));

    /// <summary>The scanner as stored: WeChat's ids, the phone's self-declared profile cut to size, and hashes of the code and token.</summary>
    public static Scanner ScannerFor(WeChatSession user, ScanRequest request, string scanToken) =>
        new(user.OpenId, user.UnionId, Trim(request.Nickname, 64), Trim(request.AvatarUrl, 1024), HashScanCode(request.LoginCode), HashScanToken(scanToken));

    /// <summary>
    /// The ticket's identity source as the phone needs it: usable by the ticket's application, with a mini program configured,
    /// the one the ticket's code opens.
    /// </summary>
    public static Failure? CheckRuntime(IdentitySourceRuntime? runtime, TicketState ticket)
    {
        if (AccessPolicy.CheckSource(runtime?.Settings, ticket.IdentitySource, ticket.AppId) is { } refused) return refused;
        if (string.IsNullOrEmpty(runtime!.MiniProgramAppId) || string.IsNullOrEmpty(runtime.MiniProgramAppSecret))
            return new Failure(FailureCodes.WeChatMisconfigured, "The identity source has no mini program configured.");
        // The code opened the mini program fixed at creation; another one's login and phone codes mean nothing to it
        // (tickets stored before the terms named it skip the check).
        if (ticket.Terms?.MiniProgramAppId is { } madeFor && madeFor != runtime.MiniProgramAppId)
            return new Failure(FailureCodes.MiniProgramChanged, "The identity source's mini program changed after this code was made; scan a new code.");
        return null;
    }

    public async Task<Outcome<IdentitySourceRuntime>> GetRuntimeAsync(TicketState ticket)
    {
        var runtime = await grains.GetGrain<IIdentitySourceGrain>(IdentitySourceSettings.KeyOf(ticket.PoolId, ticket.IdentitySource)).GetRuntimeAsync();
        return CheckRuntime(runtime, ticket) is { } refused ? refused : runtime!;
    }

    /// <summary>Turns a scannable ticket's login code into the WeChat user behind it, within the ticket's and the user's attempt limits.</summary>
    public async Task<Outcome<Scan>> ScanAsync(TicketState ticket, ScanRequest request)
    {
        if (ScanAttempts.Take(ref _scanAttempts, rateLimits.CurrentValue, ticket.AppId, ticket.PoolId, rateClock.Now) is { } tooManyOnTicket) return tooManyOnTicket;
        var runtime = await GetRuntimeAsync(ticket);
        if (runtime.Failure is { } unusable) return unusable;
        var credentials = new WeChatAppCredentials(runtime.Value!.MiniProgramAppId, runtime.Value.MiniProgramAppSecret);
        var session = await WeChatFailures.CallAsync(() => WeChat.Code2SessionAsync(credentials, request.LoginCode), logger);
        if (session.Value is not { } wechatUser) return session.Failure!;
        if (await PhoneAttempts.CheckAsync(grains, ticket.AppId, credentials.AppId, wechatUser.OpenId) is { } tooManyScans) return tooManyScans;
        var scanToken = ScanTokenFor(ticket.TicketId, request.LoginCode);
        return new Scan(ScannerFor(wechatUser, request, scanToken), scanToken);
    }

    /// <summary>The login the scanner approves, within the user's attempt limit, with the phone number when the phone shared one.</summary>
    public async Task<Outcome<WeChatLogin>> ConfirmAsync(TicketState ticket, IdentitySourceRuntime source, string? phoneCode)
    {
        var scanner = ticket.Scanner!;
        if (await PhoneAttempts.CheckAsync(grains, ticket.AppId, source.MiniProgramAppId, scanner.OpenId) is { } tooManyConfirms) return tooManyConfirms;
        string? phone = null;
        if (phoneCode is { Length: > 0 })
        {
            // Checked to have been issued for this mini program.
            var phoneInfo = await WeChatPhoneNumbers.GetAsync(grains, WeChat, source, phoneCode, scanner.OpenId, logger);
            if (phoneInfo.Value is not { } info) return phoneInfo.Failure!;
            phone = info;
        }
        return new WeChatLogin(ticket.IdentitySource, source.MiniProgramAppId, scanner.OpenId, scanner.UnionId, phone,
            scanner.Nickname, scanner.AvatarUrl, source.Settings.LoginMode, source.Settings.Association);
    }

    private static string? Trim(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}
