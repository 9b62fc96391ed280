namespace ScanLogin.Grains.Sessions;

/// <summary>The pure rules of sessions and refresh tokens: decided here, stored by the grains.</summary>
public static class SessionRules
{
    /// <summary>
    /// OpenID Connect Core 3.1.2.1: prompt=login always scans; a session signs in only while it lasts, its user may sign
    /// in and its scan is no older than max_age; otherwise prompt=none answers login_required and anything else scans.
    /// </summary>
    public static SessionOutcome Decide(bool promptNone, bool promptLogin, int? maxAgeSeconds, LoginSession? session, bool userMaySignIn,
        DateTimeOffset now)
    {
        if (promptLogin) return SessionOutcome.Scan;
        var usable = session is not null && now < session.ExpiresAt && userMaySignIn
            && (maxAgeSeconds is not { } maxAge || now - session.AuthTime <= TimeSpan.FromSeconds(maxAge));
        if (usable) return SessionOutcome.UseSession;
        return promptNone ? SessionOutcome.LoginRequired : SessionOutcome.Scan;
    }

    /// <summary>What presenting a refresh token of a family does.</summary>
    public enum RefreshVerdict
    {
        /// <summary>The current token, from its own client: spend it, hand out the next.</summary>
        Rotate,
        /// <summary>A token already spent: a copy is in someone's hands, so the family ends.</summary>
        Reused,
        /// <summary>Not a token of this family (or the family ended): refused, nothing changes.</summary>
        Invalid,
        /// <summary>The current token from another client: refused, the token stays its client's.</summary>
        OtherClient,
        /// <summary>The current token without the secret its client proved when the family started: refused, nothing changes.</summary>
        Unauthenticated,
    }

    public static RefreshVerdict Judge(RefreshFamily? family, string presentedHash, string clientId, bool clientAuthenticated, DateTimeOffset now)
    {
        if (family is null || now >= family.ExpiresAt) return RefreshVerdict.Invalid;
        if (Secrets.FixedTimeEquals(family.CurrentHash, presentedHash))
            return family.ClientId != clientId ? RefreshVerdict.OtherClient
                : family.ClientAuthenticated && !clientAuthenticated ? RefreshVerdict.Unauthenticated : RefreshVerdict.Rotate;
        return family.SpentHashes.Any(spent => Secrets.FixedTimeEquals(spent, presentedHash)) ? RefreshVerdict.Reused : RefreshVerdict.Invalid;
    }

    /// <summary>The family after a rotation: the presented token joins the spent ones (the oldest forgotten past <paramref name="keep"/>).</summary>
    public static void Rotate(RefreshFamily family, string nextHash, int keep)
    {
        family.SpentHashes = family.SpentHashes.Append(family.CurrentHash).TakeLast(Math.Max(1, keep)).ToArray();
        family.CurrentHash = nextHash;
    }

    /// <summary>A refresh may ask for the granted scopes or fewer (RFC 6749 6), never more; null keeps them all.</summary>
    public static string[]? Narrow(string[] granted, string[]? asked) =>
        asked is null ? granted : asked.All(granted.Contains) ? asked.Distinct().ToArray() : null;
}
