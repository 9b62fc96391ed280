namespace ScanLogin.Grains.Accounts;

/// <summary>One account request waiting for the pool's next batch.</summary>
public abstract record AccountRequest
{
    /// <summary>A confirmed WeChat login: sign in, or apply the identity source's policy to a new identity.</summary>
    public sealed record Login(WeChatLogin WeChat) : AccountRequest;

    /// <summary>Ask-binding: bind the identity to an account whose password the PC side proved.</summary>
    public sealed record Bind(WeChatLogin WeChat, string UserId) : AccountRequest;

    /// <summary>Ask-binding: a new account for the identity (password already hashed).</summary>
    public sealed record Register(WeChatLogin WeChat, NewAccount Account) : AccountRequest;

    /// <summary>An operator's new account (password already hashed).</summary>
    public sealed record Create(NewAccount Account, Actor Actor) : AccountRequest;
}

/// <summary>Everything a batch must look up, in one round trip.</summary>
public sealed record AccountKeys(string[] Subjects, string[] UserIds, string[] Phones, string[] Usernames, string[] Emails);

/// <summary>What the store holds for a batch's keys: the users, and which user each known subject is bound to.</summary>
public sealed record AccountSnapshot(IReadOnlyList<StoredUser> Users, IReadOnlyDictionary<string, string> UserBySubject);

/// <summary>What a batch writes, in one transaction.</summary>
public sealed record AccountChanges(string PoolId, DateTimeOffset Now)
{
    public List<StoredUser> NewUsers { get; } = [];
    public List<(IdentityLink Identity, string UserId)> NewLinks { get; } = [];
    /// <summary>Existing users who signed in, with how many times in this batch.</summary>
    public Dictionary<string, int> Logins { get; } = [];
    public List<AuditEntry> Audit { get; } = [];

    public bool IsEmpty => NewUsers.Count == 0 && NewLinks.Count == 0 && Logins.Count == 0 && Audit.Count == 0;
}

/// <summary>How one request of a batch ended; <see cref="User"/> is the stored user when there is one.</summary>
public sealed record AccountDecision(AccountResolution Resolution, StoredUser? User);

/// <summary>
/// The account rules, as a pure function of (requests, what the store holds, now): decides a whole batch in order,
/// so a later request sees the users and bindings an earlier one of the same batch made. An existing identity
/// signs in; otherwise the identity source's login mode and association decide.
/// </summary>
public static class AccountBatch
{
    public static AccountKeys KeysOf(IEnumerable<AccountRequest> requests)
    {
        var (subjects, ids, phones, usernames, emails) = (new HashSet<string>(), new HashSet<string>(), new HashSet<string>(), new HashSet<string>(), new HashSet<string>());
        foreach (var request in requests)
        {
            switch (request)
            {
                case AccountRequest.Login l:
                    subjects.Add(l.WeChat.Subject);
                    if (l.WeChat.Phone is { } p) phones.Add(p);
                    break;
                case AccountRequest.Bind b:
                    subjects.Add(b.WeChat.Subject);
                    ids.Add(b.UserId);
                    break;
                case AccountRequest.Register r:
                    subjects.Add(r.WeChat.Subject);
                    AddAccount(r.Account with { Phone = r.WeChat.Phone });
                    break;
                case AccountRequest.Create c:
                    AddAccount(c.Account);
                    break;
            }
        }
        return new AccountKeys([.. subjects], [.. ids], [.. phones], [.. usernames], [.. emails]);

        void AddAccount(NewAccount a)
        {
            if (a.Phone is { } p) phones.Add(p);
            if (a.Username is { } u) usernames.Add(u);
            if (a.Email is { } e) emails.Add(e);
        }
    }

    public static (AccountDecision[] Decisions, AccountChanges Changes) Decide(string poolId, IReadOnlyList<AccountRequest> requests,
        AccountSnapshot snapshot, DateTimeOffset now, Func<string> newId)
    {
        var state = new BatchState(poolId, snapshot, now);
        var decisions = requests.Select(request => request switch
        {
            AccountRequest.Login l => state.Login(l.WeChat, newId),
            AccountRequest.Bind b => state.Bind(b.WeChat, b.UserId),
            AccountRequest.Register r => state.Register(r.WeChat, r.Account, newId),
            AccountRequest.Create c => state.Create(c.Account, c.Actor, newId),
            _ => throw new ArgumentOutOfRangeException(nameof(requests)),
        }).ToArray();
        return (decisions, state.Changes);
    }

    private sealed class BatchState
    {
        private readonly Dictionary<string, StoredUser> _users = [];
        private readonly Dictionary<string, string> _bySubject;
        private readonly Dictionary<string, string> _byPhone = [];
        private readonly Dictionary<string, string> _byUsername = [];
        private readonly Dictionary<string, string> _byEmail = [];

        public BatchState(string poolId, AccountSnapshot snapshot, DateTimeOffset now)
        {
            Changes = new AccountChanges(poolId, now);
            _bySubject = new Dictionary<string, string>(snapshot.UserBySubject);
            foreach (var user in snapshot.Users) Index(user);
        }

        public AccountChanges Changes { get; }

        public AccountDecision Login(WeChatLogin login, Func<string> newId)
        {
            if (_bySubject.TryGetValue(login.Subject, out var linkedId) && _users.TryGetValue(linkedId, out var linked))
                return SignIn(linked, AccountOutcome.SignedIn);

            if (login.Association == AccountAssociation.FieldMatch && login.Phone is { } phone && _byPhone.TryGetValue(phone, out var matchId))
            {
                var match = _users[matchId];
                if (match.Blocked) return Blocked();
                Link(login, match, new Actor("wechat", login.IdentitySource), "bind_identity_by_phone");
                return SignIn(match, AccountOutcome.Linked);
            }

            if (login.Association == AccountAssociation.AskBinding) return new AccountDecision(new AccountResolution(AccountOutcome.BindingRequired, null, null), null);
            if (login.LoginMode == LoginMode.LoginOnly)
                return Refuse(FailureCodes.AccountNotFound, "This identity source only signs in existing accounts, and no account matches this WeChat user.");

            // Association off: a phone another user already has is not copied (one user per phone per pool), the login still succeeds.
            var phoneFree = login.Phone is { } p && !_byPhone.ContainsKey(p) ? p : null;
            var user = NewUser(newId(), new NewAccount(null, null, phoneFree, login.Nickname, login.AvatarUrl, null), signedIn: true);
            Link(login, user, null, null);
            Audit(new Actor("wechat", login.IdentitySource), "create", user.Id, null, user.ToAudit());
            return new AccountDecision(new AccountResolution(AccountOutcome.Created, user.ToProfile(), null), user);
        }

        public AccountDecision Bind(WeChatLogin login, string userId)
        {
            if (_bySubject.TryGetValue(login.Subject, out var boundTo))
                return boundTo == userId ? SignIn(_users[userId], AccountOutcome.Linked)
                    : Refuse(FailureCodes.IdentityAlreadyBound, "This WeChat user is already bound to another account.");
            if (!_users.TryGetValue(userId, out var user)) return Refuse(FailureCodes.AccountNotFound, "The account no longer exists.");
            if (user.Blocked) return Blocked();
            Link(login, user, new Actor("wechat", login.IdentitySource), "bind_identity");
            return SignIn(user, AccountOutcome.Linked);
        }

        public AccountDecision Register(WeChatLogin login, NewAccount account, Func<string> newId)
        {
            if (_bySubject.TryGetValue(login.Subject, out var boundTo)) return SignIn(_users[boundTo], AccountOutcome.SignedIn);
            if (login.LoginMode == LoginMode.LoginOnly)
                return Refuse(FailureCodes.RegistrationDisabled, "This identity source does not create accounts; sign in to an existing one.");
            var withPhone = account with { Phone = login.Phone, Nickname = account.Nickname ?? login.Nickname, AvatarUrl = account.AvatarUrl ?? login.AvatarUrl };
            if (CheckUnique(withPhone) is { } taken) return taken;
            var user = NewUser(newId(), withPhone, signedIn: true);
            Link(login, user, null, null);
            Audit(new Actor("wechat", login.IdentitySource), "create", user.Id, null, user.ToAudit());
            return new AccountDecision(new AccountResolution(AccountOutcome.Created, user.ToProfile(), null), user);
        }

        public AccountDecision Create(NewAccount account, Actor actor, Func<string> newId)
        {
            if (CheckUnique(account) is { } taken) return taken;
            var user = NewUser(newId(), account);
            Audit(actor, "create", user.Id, null, user.ToAudit());
            return new AccountDecision(new AccountResolution(AccountOutcome.Created, user.ToProfile(), null), user);
        }

        private AccountDecision? CheckUnique(NewAccount account)
        {
            if (account.Phone is { } p && _byPhone.ContainsKey(p)) return Refuse(FailureCodes.PhoneInUse, "Another account of the pool has this phone number.");
            if (account.Username is { } u && _byUsername.ContainsKey(u)) return Refuse(FailureCodes.UsernameInUse, "Another account of the pool has this username.");
            if (account.Email is { } e && _byEmail.ContainsKey(e)) return Refuse(FailureCodes.EmailInUse, "Another account of the pool has this email address.");
            return null;
        }

        /// <param name="signedIn">Created by a login: inserted with that first login counted.</param>
        private StoredUser NewUser(string id, NewAccount a, bool signedIn = false)
        {
            var user = new StoredUser(id, Changes.PoolId, a.Username, a.Email, a.Phone, a.Nickname, a.AvatarUrl, a.PasswordHash, a.Blocked, Changes.Now,
                signedIn ? Changes.Now : null, signedIn ? 1 : 0);
            Changes.NewUsers.Add(user);
            Index(user);
            return user;
        }

        private void Link(WeChatLogin login, StoredUser user, Actor? actor, string? action)
        {
            var identity = IdentityLink.Of(Changes.PoolId, login);
            Changes.NewLinks.Add((identity, user.Id));
            _bySubject[login.Subject] = user.Id;
            if (actor is not null) Audit(actor, action!, user.Id, null, new { identity.Subject, identity.IdentitySource });
        }

        private AccountDecision SignIn(StoredUser user, AccountOutcome outcome)
        {
            if (user.Blocked) return Blocked();
            Changes.Logins[user.Id] = Changes.Logins.GetValueOrDefault(user.Id) + 1;
            return new AccountDecision(new AccountResolution(outcome, user.ToProfile(), null), user);
        }

        private void Audit(Actor actor, string action, string userId, object? before, object? after) =>
            Changes.Audit.Add(new AuditEntry(0, Changes.PoolId, Changes.Now, actor.ToString(), action, "user", userId,
                before is null ? null : AdminJson.Serialize(before), after is null ? null : AdminJson.Serialize(after)));

        private void Index(StoredUser user)
        {
            _users[user.Id] = user;
            if (user.Phone is { } p) _byPhone[p] = user.Id;
            if (user.Username is { } u) _byUsername[u] = user.Id;
            if (user.Email is { } e) _byEmail[e] = user.Id;
        }

        private static AccountDecision Blocked() => Refuse(FailureCodes.UserBlocked, "This account is blocked.");

        private static AccountDecision Refuse(string code, string message) =>
            new(new AccountResolution(AccountOutcome.Refused, null, new Failure(code, message)), null);
    }
}
