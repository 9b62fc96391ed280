using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Admin;
using ScanLogin.Grains.Tickets;
using ScanLogin.Grains.Tokens;

namespace ScanLogin.Grains.Domains;

/// <summary>
/// Which pool holds which custom domain (key 0; the list is small: one row per claimed domain). Being the only writer makes
/// "one verified pool per domain" a plain check. The rules are <see cref="DomainRules"/>; this grain stores their moves first
/// and changes memory second, and answers the verified list to front ends without waiting behind a challenge fetch.
/// </summary>
public sealed class DomainRegistryGrain(
    [PersistentState("domain-registry", StorageNames.Configuration)] IPersistentState<DomainRegistryState> state,
    DomainChallenge challenge,
    IOptions<CustomDomainOptions> options,
    IOptions<OidcOptions> oidc,
    ProductClock clock,
    AdminRecorder recorder,
    ILogger<DomainRegistryGrain> logger) : Grain, IDomainRegistryGrain
{
    private const string ResourceType = "custom_domain";
    private VerifiedDomains? _verified;

    async Task<Outcome<PoolDomainView>> IDomainRegistryGrain.ClaimAsync(string poolId, string domain, Actor actor)
    {
        var rules = Rules();
        if (rules.CheckClaim(state.State.Claims, poolId, domain) is { } refused) return refused;
        var name = CustomDomains.Normalize(domain)!;
        if (state.State.Claims.FirstOrDefault(c => c.PoolId == poolId && c.Domain == name) is { } existing) return existing.ToView();
        var claim = new DomainClaim(name, poolId, Secrets.NewSecret(), clock.Now, null);
        await CommitAsync([.. state.State.Claims, claim]);
        await recorder.AuditAsync(poolId, "create", actor, ResourceType, name, null, claim.ToView());
        return claim.ToView();
    }

    Task<PoolDomainView[]> IDomainRegistryGrain.ListAsync(string poolId) =>
        Task.FromResult(state.State.Claims.Where(c => c.PoolId == poolId).OrderBy(c => c.Domain, StringComparer.Ordinal).Select(c => c.ToView()).ToArray());

    async Task<Outcome<PoolDomainView>> IDomainRegistryGrain.VerifyAsync(string poolId, string domain, Actor actor)
    {
        var name = CustomDomains.Normalize(domain);
        if (state.State.Claims.FirstOrDefault(c => c.PoolId == poolId && c.Domain == name) is not { } claim)
            return new Failure(AdminFailureCodes.NotFound, $"The pool has not claimed {domain}.");
        if (claim.VerifiedAt is not null) return claim.ToView();
        if (DomainRules.HolderOf(state.State.Claims, claim.Domain) is { } holder && holder != poolId)
            return new Failure(DomainFailureCodes.Taken, $"{claim.Domain} is verified by another user pool.");

        if (await challenge.FailureOfAsync(claim.Domain, claim.Token) is { } failed)
        {
            logger.LogInformation("Pool {PoolId}'s domain {Domain} failed its challenge: {Reason}", poolId, claim.Domain, failed);
            return new Failure(DomainFailureCodes.ChallengeFailed, failed);
        }
        // The fetch took time: decide again on what is stored now (this grain is not reentrant, but be plain about it).
        var (claims, verified) = DomainRules.Verify(state.State.Claims, poolId, claim.Domain, claim.Token, clock.Now);
        if (verified is null) return new Failure(DomainFailureCodes.Taken, $"{claim.Domain} changed while it was checked; verify again.");
        await CommitAsync(claims);
        await recorder.AuditAsync(poolId, "verify", actor, ResourceType, claim.Domain, claim.ToView(), verified.ToView());
        logger.LogInformation("Pool {PoolId} verified its domain {Domain}", poolId, claim.Domain);
        return verified.ToView();
    }

    async Task<Outcome<bool>> IDomainRegistryGrain.ReleaseAsync(string poolId, string domain, Actor actor)
    {
        var name = CustomDomains.Normalize(domain);
        if (state.State.Claims.FirstOrDefault(c => c.PoolId == poolId && c.Domain == name) is not { } claim)
            return new Failure(AdminFailureCodes.NotFound, $"The pool has not claimed {domain}.");
        await CommitAsync(state.State.Claims.Where(c => c != claim).ToArray());
        await recorder.AuditAsync(poolId, "delete", actor, ResourceType, claim.Domain, claim.ToView(), null);
        return true;
    }

    async Task IDomainRegistryGrain.ReleasePoolAsync(string poolId, Actor actor)
    {
        var released = state.State.Claims.Where(c => c.PoolId == poolId).ToArray();
        if (released.Length == 0) return;
        await CommitAsync(state.State.Claims.Where(c => c.PoolId != poolId).ToArray());
        foreach (var claim in released) await recorder.AuditAsync(poolId, "delete", actor, ResourceType, claim.Domain, claim.ToView(), null);
    }

    Task<VerifiedDomains> IDomainRegistryGrain.GetVerifiedAsync() =>
        Task.FromResult(_verified ??= new VerifiedDomains(DomainRules.VerifiedMap(state.State.Claims)));

    private DomainRules Rules()
    {
        var o = oidc.Value;
        return new DomainRules(options.Value.MaxPerPool, new Uri(o.PublicBaseUrl).Host, o.PoolHostTemplate);
    }

    /// <summary>Stores the new claims, then keeps them; a failed write leaves memory as it was.</summary>
    private async Task CommitAsync(DomainClaim[] claims)
    {
        var before = state.State.Claims;
        state.State.Claims = claims;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Claims = before;
            throw;
        }
        _verified = null;
    }
}
