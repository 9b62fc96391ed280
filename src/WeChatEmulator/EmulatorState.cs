using System.Security.Cryptography;

namespace ScanLogin.WeChatEmulator;

/// <summary>
/// Everything the emulated WeChat remembers: mini programs, users, one-time codes, access tokens and rate
/// windows. All in memory, one lock; time comes from the injected TimeProvider so tests can move it.
/// </summary>
public sealed class EmulatorState(TimeProvider time)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(7200);
    public static readonly TimeSpan TokenRotation = TimeSpan.FromMinutes(5);
    public const int SessionCallsPerMinute = 100;
    public const int CodeImagesPerMinute = 5000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _apps = [];
    private readonly Dictionary<string, EmulatedUser> _users = [];
    private readonly Dictionary<string, IssuedCode> _codes = [];
    private readonly Dictionary<string, (string AppId, DateTimeOffset ExpiresAt)> _tokens = [];
    private readonly Dictionary<string, string> _stableToken = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _sessionCalls = [];
    private readonly Dictionary<string, List<DateTimeOffset>> _forcedRefreshes = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _codeImages = [];
    private readonly Dictionary<string, List<string>> _scenes = [];
    private readonly Dictionary<string, TaskCompletionSource> _holds = [];
    private readonly Dictionary<string, int> _held = [];
    private readonly Dictionary<string, Queue<int>> _faults = [];
    private readonly Dictionary<string, int> _tokenRequests = [];
    private readonly Dictionary<string, int> _sessionRequests = [];

    public DateTimeOffset Now => time.GetUtcNow();

    public bool AddApp(string appId, string secret)
    {
        lock (_gate)
        {
            if (_apps.TryGetValue(appId, out var existing)) return existing == secret;
            _apps[appId] = secret;
            return true;
        }
    }

    /// <summary>Counts an access-token request for an AppID, answered or refused (how often a server asks WeChat).</summary>
    public void CountTokenRequest(string? appId)
    {
        lock (_gate) _tokenRequests[appId ?? ""] = _tokenRequests.GetValueOrDefault(appId ?? "") + 1;
    }

    public int TokenRequestsOf(string appId)
    {
        lock (_gate) return _tokenRequests.GetValueOrDefault(appId);
    }

    /// <summary>Counts a jscode2session call for an AppID, answered or refused (how much of a tenant's quota a server spends).</summary>
    public void CountSessionRequest(string? appId)
    {
        lock (_gate) _sessionRequests[appId ?? ""] = _sessionRequests.GetValueOrDefault(appId ?? "") + 1;
    }

    public int SessionRequestsOf(string appId)
    {
        lock (_gate) return _sessionRequests.GetValueOrDefault(appId);
    }

    /// <summary>0 when the app and secret are right, else WeChat's errcode for what is wrong.</summary>
    public int CheckApp(string? appId, string? secret)
    {
        lock (_gate)
        {
            if (appId is null || !_apps.TryGetValue(appId, out var expected)) return 40013;
            return secret == expected ? 0 : 40125;
        }
    }

    public EmulatedUser AddUser(string appId, string? nickname, string? phone, string countryCode, string? unionId)
    {
        var user = new EmulatedUser("o" + Random(20), appId, nickname, phone, countryCode, unionId);
        lock (_gate) _users[user.OpenId] = user;
        return user;
    }

    /// <summary>The users of one mini program, oldest first (for the phone simulator's picker).</summary>
    public EmulatedUser[] UsersOf(string appId)
    {
        lock (_gate) return _users.Values.Where(u => u.AppId == appId).ToArray();
    }

    public string[] AppIds
    {
        get { lock (_gate) return _apps.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    public EmulatedUser? FindUser(string appId, string openId)
    {
        lock (_gate) return _users.TryGetValue(openId, out var u) && u.AppId == appId ? u : null;
    }

    public string IssueCode(CodeKind kind, EmulatedUser user)
    {
        var code = Random(24);
        lock (_gate) _codes[code] = new IssuedCode(kind, user, Now);
        return code;
    }

    /// <summary>Redeems a one-time code: 40029 unknown, expired or foreign; 40163 used; 45011 over the per-user rate.</summary>
    public (int ErrCode, EmulatedUser? User) Redeem(CodeKind kind, string? code, string appId, string? openId = null, bool rateLimited = false)
    {
        lock (_gate)
        {
            if (code is null || !_codes.TryGetValue(code, out var issued) || issued.Kind != kind || issued.User.AppId != appId
                || Now - issued.IssuedAt > CodeLifetime || (openId is not null && issued.User.OpenId != openId))
                return (40029, null);
            if (rateLimited && !TryCount(_sessionCalls, issued.User.OpenId, SessionCallsPerMinute)) return (45011, null);
            if (issued.Used) return (40163, null);
            _codes[code] = issued with { Used = true };
            return (0, issued.User);
        }
    }

    /// <summary>stable_token: the same token until its last five minutes; force_refresh replaces it (20 a day, 30 s apart).</summary>
    public (int ErrCode, string? Token, int ExpiresIn) StableToken(string appId, bool forceRefresh)
    {
        lock (_gate)
        {
            var now = Now;
            if (forceRefresh)
            {
                var history = _forcedRefreshes.TryGetValue(appId, out var h) ? h : _forcedRefreshes[appId] = [];
                history.RemoveAll(t => now - t > TimeSpan.FromDays(1));
                if (history.Count >= 20) return (45009, null, 0);
                if (history.Count > 0 && now - history[^1] < TimeSpan.FromSeconds(30)) return (45011, null, 0);
                history.Add(now);
                if (_stableToken.Remove(appId, out var old)) _tokens.Remove(old);
            }
            if (_stableToken.TryGetValue(appId, out var current) && _tokens.TryGetValue(current, out var entry)
                && entry.ExpiresAt - now > TokenRotation)
                return (0, current, (int)(entry.ExpiresAt - now).TotalSeconds);
            var token = NewToken(appId, now);
            _stableToken[appId] = token;
            return (0, token, (int)TokenLifetime.TotalSeconds);
        }
    }

    /// <summary>The old cgi-bin/token: every call replaces the previous token.</summary>
    public string ReplaceToken(string appId)
    {
        lock (_gate)
        {
            if (_stableToken.Remove(appId, out var old)) _tokens.Remove(old);
            return _stableToken[appId] = NewToken(appId, Now);
        }
    }

    /// <summary>The AppID a valid token belongs to, or null (40001).</summary>
    public string? AppOfToken(string? token)
    {
        lock (_gate) return token is not null && _tokens.TryGetValue(token, out var e) && e.ExpiresAt > Now ? e.AppId : null;
    }

    /// <summary>Makes the next <paramref name="times"/> calls of an API answer <paramref name="errCode"/> (before touching any code or token).</summary>
    public void AddFault(string api, int errCode, int times)
    {
        lock (_gate)
        {
            var queue = _faults.TryGetValue(api, out var q) ? q : _faults[api] = new Queue<int>();
            for (var i = 0; i < times; i++) queue.Enqueue(errCode);
        }
    }

    /// <summary>Code-image calls of this mini program wait (like a WeChat call that hangs) until <see cref="Release"/>.</summary>
    public void Hold(string appId)
    {
        lock (_gate) _holds.TryAdd(appId, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    public void Release(string appId)
    {
        TaskCompletionSource? hold;
        lock (_gate) _holds.Remove(appId, out hold);
        hold?.TrySetResult();
    }

    /// <summary>Code-image calls of the mini program waiting on a hold right now.</summary>
    public int HeldOf(string appId)
    {
        lock (_gate) return _held.GetValueOrDefault(appId);
    }

    public async Task WaitIfHeldAsync(string appId, CancellationToken ct)
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            if (!_holds.TryGetValue(appId, out hold)) return;
            _held[appId] = _held.GetValueOrDefault(appId) + 1;
        }
        try
        {
            await hold.Task.WaitAsync(ct);
        }
        finally
        {
            lock (_gate) _held[appId]--;
        }
    }

    public void ClearFaults()
    {
        lock (_gate) _faults.Clear();
    }

    /// <summary>The errcode an API must answer now instead of working, or null.</summary>
    public int? TakeFault(string api)
    {
        lock (_gate) return _faults.TryGetValue(api, out var q) && q.TryDequeue(out var code) ? code : null;
    }

    /// <summary>Ends every access token of an app now, as if its two hours had run out: calls answer 42001 until a new one is fetched.</summary>
    public int ExpireTokens(string appId)
    {
        lock (_gate)
        {
            var mine = _tokens.Where(t => t.Value.AppId == appId).Select(t => t.Key).ToList();
            foreach (var token in mine) _tokens[token] = (appId, Now - TimeSpan.FromSeconds(1));
            return mine.Count;
        }
    }

    /// <summary>0 and the AppID for a valid token; 42001 for an expired one, 40001 for anything else.</summary>
    public (int ErrCode, string? AppId) CheckToken(string? token)
    {
        lock (_gate)
        {
            if (token is null || !_tokens.TryGetValue(token, out var e)) return (40001, null);
            return e.ExpiresAt > Now ? (0, e.AppId) : (42001, null);
        }
    }

    public bool TryCountCodeImage(string appId, string scene)
    {
        lock (_gate)
        {
            if (!TryCount(_codeImages, appId, CodeImagesPerMinute)) return false;
            (_scenes.TryGetValue(appId, out var list) ? list : _scenes[appId] = []).Add(scene);
            return true;
        }
    }

    /// <summary>The scenes of every mini-program code generated for an AppID, oldest first.</summary>
    public string[] ScenesOf(string appId)
    {
        lock (_gate) return _scenes.TryGetValue(appId, out var list) ? [.. list] : [];
    }

    private string NewToken(string appId, DateTimeOffset now)
    {
        var token = Random(96);
        _tokens[token] = (appId, now + TokenLifetime);
        return token;
    }

    private bool TryCount(Dictionary<string, Queue<DateTimeOffset>> windows, string key, int perMinute)
    {
        var now = Now;
        var window = windows.TryGetValue(key, out var w) ? w : windows[key] = new Queue<DateTimeOffset>();
        while (window.Count > 0 && now - window.Peek() >= TimeSpan.FromMinutes(1)) window.Dequeue();
        if (window.Count >= perMinute) return false;
        window.Enqueue(now);
        return true;
    }

    private static string Random(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public enum CodeKind { Login, Phone }

public sealed record EmulatedUser(string OpenId, string AppId, string? Nickname, string? PhoneNumber, string CountryCode, string? UnionId);

internal sealed record IssuedCode(CodeKind Kind, EmulatedUser User, DateTimeOffset IssuedAt, bool Used = false);
