namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// The access policy, for the front end's questions that no other grain call answers on the way: which identity source an
/// application's login runs through, who may redeem a hosted login's code, and whether an Authing browser may exchange.
/// A stateless worker over its silo's settings cache: ticket creation, status reads and pictures never call it (the desk
/// and the ticket grain ask the same policy in-process, and a ticket carries what it fixed at creation).
/// </summary>
[Alias("ScanLogin.IAccessPolicyGrain")]
public interface IAccessPolicyGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The identity source a login of <paramref name="appId"/> runs through: the named one if the application may use it,
    /// else (null) the application's usable source; refused when there is none, or when there are several unless
    /// <paramref name="firstOfSeveral"/> (the hosted login) takes the first in the pool's listing order.
    /// </summary>
    [ReadOnly, Alias("ChooseIdentitySource")]
    Task<Outcome<string>> ChooseIdentitySourceAsync(string appId, string? identifier, bool firstOfSeveral = false);

    /// <summary>Whether a hosted login's code may be redeemed at the token endpoint of <paramref name="poolId"/> by a client that did (or did not) prove its secret.</summary>
    [ReadOnly, Alias("CheckCodeRedemption")]
    Task<Failure?> CheckCodeRedemptionAsync(string poolId, bool clientAuthenticated);

    /// <summary>Whether a browser at <paramref name="origin"/> may exchange an Authing QR ticket of <paramref name="appId"/> without the app secret.</summary>
    [ReadOnly, Alias("CheckAuthingBrowserExchange")]
    Task<Failure?> CheckAuthingBrowserExchangeAsync(string appId, string? origin);
}
