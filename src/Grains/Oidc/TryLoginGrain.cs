using ScanLogin.Grains.Tickets;

namespace ScanLogin.Grains.Oidc;

/// <summary>
/// A console's try login: admits exactly one authorization request (its state is this grain's id) to ScanLogin's own
/// try-login callback, hands the PKCE verifier to that callback once, and keeps the outcome for the console to read.
/// </summary>
public sealed class TryLoginGrain(ProductClock clock) : Grain, ITryLoginGrain
{
    /// <summary>How long a try may take from opening to the phone's confirmation (the hosted login itself lasts up to 15 minutes).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private TryLoginOpening? _opening;
    private DateTimeOffset _expiresAt;
    private bool _admitted;
    private bool _redeeming;
    private TryLoginResult? _result;

    private bool Expired => clock.Now >= _expiresAt;

    Task<Outcome<TryLoginView>> ITryLoginGrain.OpenAsync(TryLoginOpening opening)
    {
        if (_opening is not null) return Task.FromResult<Outcome<TryLoginView>>(new Failure(AdminFailureCodes.Exists, "This try login exists."));
        _opening = opening;
        _expiresAt = clock.Now + Lifetime;
        // Stay active for the try's whole life, so its state (memory only) is there when the phone confirms.
        DelayDeactivation(Lifetime + TimeSpan.FromMinutes(5));
        return Task.FromResult<Outcome<TryLoginView>>(View());
    }

    Task<bool> ITryLoginGrain.AdmitAuthorizationAsync(string poolId, string clientId, string redirectUri, string? codeChallenge)
    {
        var admitted = _opening is { } o && !_admitted && !Expired && o.PoolId == poolId && o.AppId == clientId
                       && o.RedirectUri == redirectUri && o.CodeChallenge == codeChallenge;
        if (admitted) _admitted = true;
        return Task.FromResult(admitted);
    }

    Task<Outcome<TryLoginOpening>> ITryLoginGrain.BeginRedemptionAsync(string poolId)
    {
        if (_opening is not { } o || o.PoolId != poolId || !_admitted || _redeeming || _result is not null || Expired)
            return Task.FromResult<Outcome<TryLoginOpening>>(new Failure(AuthorizationFailures.InvalidGrant, "No try login is waiting for this callback."));
        _redeeming = true;
        return Task.FromResult<Outcome<TryLoginOpening>>(o);
    }

    Task ITryLoginGrain.FinishAsync(TryLoginResult result)
    {
        if (_opening is not null && _result is null) _result = result;
        return Task.CompletedTask;
    }

    Task<TryLoginView?> ITryLoginGrain.GetAsync() => Task.FromResult(_opening is null ? null : View());

    private TryLoginView View() => new(_opening!.PoolId, _opening.AppId, _opening.IdentitySource,
        _result is null ? (Expired ? TryLoginStatus.Failed : TryLoginStatus.Pending) : _result.Error is null ? TryLoginStatus.SignedIn : TryLoginStatus.Failed,
        _expiresAt, _result ?? (Expired ? new TryLoginResult(null, null, "expired", "The try login expired before the phone confirmed.") : null));
}
