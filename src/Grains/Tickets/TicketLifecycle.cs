namespace ScanLogin.Grains.Tickets;

/// <summary>
/// Every legal move of a ticket, as pure functions of (state, input, now). A refused move returns a
/// failure and no state, so the caller cannot change anything by accident. Each accepted change bumps the version.
/// </summary>
public static class TicketLifecycle
{
    public static TicketState Open(string ticketId, TicketOpening opening, string poolId, string appName,
        string identitySourceName, TimeSpan lifetime, DateTimeOffset now) => new()
    {
        TicketId = ticketId,
        Status = TicketStatus.Pending,
        Version = 1,
        PoolId = poolId,
        AppId = opening.AppId,
        AppName = appName,
        IdentitySource = opening.IdentitySource,
        IdentitySourceName = identitySourceName,
        Requester = opening.Requester,
        CreatedAt = now,
        ConfirmBy = now + lifetime,
        BrowserSecretHash = opening.BrowserSecretHash,
        Nonce = opening.Nonce,
        HostedLogin = opening.HostedLogin,
    };

    /// <summary>Pending -> scanned. A rescan by the same WeChat user refreshes its scan token without a new version.</summary>
    public static Outcome<TicketState> Scan(TicketState s, Scanner scanner, DateTimeOffset now)
    {
        if (IsPastDeadline(s, now)) return Expired(s);
        return s.Status switch
        {
            TicketStatus.Pending => s with { Status = TicketStatus.Scanned, Version = s.Version + 1, Scanner = scanner },
            TicketStatus.Scanned when SameUser(s.Scanner, scanner) => s with { Scanner = scanner },
            TicketStatus.Scanned => new Failure(FailureCodes.AlreadyScanned, "Another WeChat user has already scanned this ticket."),
            _ => Illegal(s, "scan"),
        };
    }

    /// <summary>Scanned -> confirmed, with the resolved user and the one-time exchange code.</summary>
    public static Outcome<TicketState> Confirm(TicketState s, string scanTokenHash, UserProfile user, string exchangeCode,
        TimeSpan exchangeWindow, DateTimeOffset now)
    {
        if (CheckScanner(s, scanTokenHash, now, "confirm") is { } failure) return failure;
        return s with
        {
            Status = TicketStatus.Confirmed,
            Version = s.Version + 1,
            User = user,
            ExchangeCode = exchangeCode,
            ExchangeBy = now + exchangeWindow,
            ConfirmedAt = now,
        };
    }

    /// <summary>Scanned (or waiting for binding) -> cancelled, by the user who scanned.</summary>
    public static Outcome<TicketState> Cancel(TicketState s, string scanTokenHash, DateTimeOffset now)
    {
        var waiting = s.Status == TicketStatus.BindingRequired ? s with { Status = TicketStatus.Scanned } : s;
        if (CheckScanner(waiting, scanTokenHash, now, "cancel") is { } failure) return failure;
        return Finish(s, TicketStatus.Cancelled, null, now);
    }

    /// <summary>
    /// Scanned -> binding required (ask-binding, new identity): keeps the approved login for the PC side to bind, until
    /// <paramref name="window"/> ends, and the code the phone shows, which the PC must type to bind.
    /// </summary>
    public static Outcome<TicketState> RequireBinding(TicketState s, string scanTokenHash, WeChatLogin login, string bindingCode, TimeSpan window,
        DateTimeOffset now)
    {
        if (CheckScanner(s, scanTokenHash, now, "confirm") is { } failure) return failure;
        return s with
        {
            Status = TicketStatus.BindingRequired, Version = s.Version + 1, PendingLogin = login, BindBy = now + window, BindingFailures = 0,
            BindingCode = bindingCode,
        };
    }

    /// <summary>Why the PC side cannot bind now, or null if it can.</summary>
    public static Failure? CheckBinding(TicketState s, DateTimeOffset now)
    {
        if (IsPastDeadline(s, now)) return Expired(s);
        return s.Status == TicketStatus.BindingRequired ? null : Illegal(s, "bind");
    }

    /// <summary>
    /// Why this binding code does not prove the PC is with the phone that approved, or null if it does (compared in fixed
    /// time). Whoever scanned first must not bind their WeChat to the account the PC signs in to without the PC knowing.
    /// </summary>
    public static Failure? CheckBindingCode(TicketState s, string bindingCode) =>
        s.BindingCode is { } code && Secrets.FixedTimeEquals(code, bindingCode)
            ? null
            : new Failure(FailureCodes.BindingCodeInvalid, "The binding code is not the one the phone shows.");

    /// <summary>
    /// A wrong password while binding: counted on the ticket (no new version, nothing the watchers need); the
    /// <paramref name="maxAttempts"/>-th ends the ticket rejected with <c>too_many_attempts</c>.
    /// </summary>
    public static Outcome<TicketState> FailBinding(TicketState s, int maxAttempts, DateTimeOffset now)
    {
        if (CheckBinding(s, now) is { } failure) return failure;
        var failures = s.BindingFailures + 1;
        return failures >= maxAttempts
            ? Finish(s, TicketStatus.Rejected, FailureCodes.TooManyAttempts, now) with { BindingFailures = failures }
            : s with { BindingFailures = failures };
    }

    /// <summary>Binding required -> confirmed: the identity is bound to (or created as) this user; exchange as for any login.</summary>
    public static Outcome<TicketState> CompleteBinding(TicketState s, UserProfile user, string exchangeCode, TimeSpan exchangeWindow, DateTimeOffset now,
        bool passwordProven = false)
    {
        if (CheckBinding(s, now) is { } failure) return failure;
        return s with
        {
            Status = TicketStatus.Confirmed,
            Version = s.Version + 1,
            User = user,
            ExchangeCode = exchangeCode,
            ExchangeBy = now + exchangeWindow,
            ConfirmedAt = now,
            PasswordProven = passwordProven,
            PendingLogin = null,
            BindingCode = null,
        };
    }

    /// <summary>Scanned -> rejected: the pool's policy refused the login, for the given reason code.</summary>
    public static Outcome<TicketState> Reject(TicketState s, string scanTokenHash, string reason, DateTimeOffset now)
    {
        if (CheckScanner(s, scanTokenHash, now, "reject") is { } failure) return failure;
        return Finish(s, TicketStatus.Rejected, reason, now);
    }

    /// <summary>Confirmed -> consumed, recording what the token was signed from.</summary>
    public static Outcome<TicketState> Consume(TicketState s, IssuedToken token, DateTimeOffset now)
    {
        if (IsPastDeadline(s, now)) return Expired(s);
        if (s.Status == TicketStatus.Consumed)
            return new Failure(FailureCodes.AlreadyExchanged, "This ticket has already been exchanged.");
        if (s.Status != TicketStatus.Confirmed) return Illegal(s, "exchange");
        return Finish(s, TicketStatus.Consumed, null, now) with { Token = token };
    }

    /// <summary>Any live state -> expired, once its deadline has passed; refused before that.</summary>
    public static Outcome<TicketState> Expire(TicketState s, DateTimeOffset now)
    {
        if (!IsPastDeadline(s, now)) return Illegal(s, "expire");
        return Finish(s, TicketStatus.Expired, null, now);
    }

    public static bool IsPastDeadline(TicketState s, DateTimeOffset now) => s.Deadline is { } d && now >= d;

    /// <summary>Why the ticket cannot be scanned now, or null if it can (checked before asking WeChat anything).</summary>
    public static Failure? CheckScannable(TicketState s, DateTimeOffset now) =>
        IsPastDeadline(s, now) ? Expired(s) : s.Status is TicketStatus.Pending or TicketStatus.Scanned ? null : Illegal(s, "scan");

    /// <summary>Why the holder of this scan token may not act on the ticket now, or null if it may.</summary>
    public static Failure? CheckScanner(TicketState s, string scanTokenHash, DateTimeOffset now, string move)
    {
        if (IsPastDeadline(s, now)) return Expired(s);
        if (s.Status != TicketStatus.Scanned) return Illegal(s, move);
        if (!Secrets.FixedTimeEquals(s.Scanner!.ScanTokenHash, scanTokenHash))
            return new Failure(FailureCodes.ScanTokenInvalid, "The scan token does not belong to the user who scanned this ticket.");
        return null;
    }

    private static TicketState Finish(TicketState s, TicketStatus status, string? reason, DateTimeOffset now) =>
        s with
        {
            Status = status, Version = s.Version + 1, Reason = reason, FinishedAt = now, PendingLogin = null, BindingCode = null,
            ExchangeCode = status == TicketStatus.Consumed ? s.ExchangeCode : null,
        };

    private static bool SameUser(Scanner? a, Scanner b) => a is not null && a.OpenId == b.OpenId;

    private static Failure Expired(TicketState s) => new(FailureCodes.TicketExpired, $"Ticket {s.TicketId} has expired.");

    /// <summary>
    /// A move the ticket's state does not allow. A ticket that has expired says so (410 <c>ticket_expired</c>), as it does
    /// for a move just past its deadline, so a phone or a PC can tell "too late, get a new code" from "already used".
    /// </summary>
    private static Failure Illegal(TicketState s, string move) =>
        s.Status == TicketStatus.Expired
            ? Expired(s)
            : new(FailureCodes.InvalidTransition, $"Cannot {move} a ticket that is {s.Status.ToWireName()}.");
}
