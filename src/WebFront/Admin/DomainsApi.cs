using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.Oidc;

namespace ScanLogin.WebFront.Admin;

/// <summary>
/// A pool's custom domains: claim one, serve its challenge token at http://{domain}/.well-known/scanlogin-challenge/{token},
/// verify, and the domain then serves the pool's hosted login, discovery and tokens with itself as issuer.
/// </summary>
public static class DomainsApi
{
    public sealed record ClaimDomainRequest(string? Domain);

    public static RouteGroupBuilder MapDomainsApi(this RouteGroupBuilder admin)
    {
        var domains = admin.MapGroup("/pools/{poolId}/domains").WithTags("Admin: custom domains");
        domains.MapPost("/", ClaimAsync).WithName("ClaimPoolDomain")
            .WithSummary("Claim a custom domain (pending): the answer names the challenge URL the domain must serve before `verify`")
            .Produces<PoolDomainView>(201);
        domains.MapGet("/", ListAsync).WithName("ListPoolDomains").WithSummary("The pool's custom domains, pending and verified").Produces<PoolDomainView[]>();
        domains.MapPost("/{domain}/verify", VerifyAsync).WithName("VerifyPoolDomain")
            .WithSummary("Fetch the domain's challenge token over HTTP; when it matches, the domain serves the pool (refused if another pool verified it)")
            .Produces<PoolDomainView>();
        domains.MapDelete("/{domain}", ReleaseAsync).WithName("ReleasePoolDomain").WithSummary("Release a custom domain; it stops serving the pool");
        return admin;
    }

    private static async Task<Results<Created<PoolDomainView>, Ok<PoolDomainView>, ProblemHttpResult>> ClaimAsync(string poolId, ClaimDomainRequest request,
        HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        if (CustomDomains.Normalize(request.Domain) is null)
            return ApiProblems.Invalid("domain", "A host name such as login.shop.example (lowercase letters, digits, '-' and dots; no port, no IP address).");
        var claimed = await cluster.GetGrain<IDomainRegistryGrain>(0).ClaimAsync(poolId, request.Domain!, http.GetOperator().Actor);
        if (claimed.Value is not { } view) return Problem(claimed.Failure!);
        return !view.Verified
            ? TypedResults.Created($"/admin/v1/pools/{poolId}/domains/{view.Domain}", view)
            : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<PoolDomainView[]>, ProblemHttpResult>> ListAsync(string poolId, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        return TypedResults.Ok(await cluster.GetGrain<IDomainRegistryGrain>(0).ListAsync(poolId));
    }

    private static async Task<Results<Ok<PoolDomainView>, ProblemHttpResult>> VerifyAsync(string poolId, string domain, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null || CustomDomains.Normalize(domain) is null) return AdminHttp.NotFound();
        var verified = await cluster.GetGrain<IDomainRegistryGrain>(0).VerifyAsync(poolId, domain, http.GetOperator().Actor);
        if (verified.Value is not { } view) return Problem(verified.Failure!);
        // This front end serves the domain at once; the others within ScanLogin:Oidc:DomainRefresh.
        http.RequestServices.GetRequiredService<PoolHosts>().Invalidate();
        return TypedResults.Ok(view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReleaseAsync(string poolId, string domain, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null || CustomDomains.Normalize(domain) is null) return AdminHttp.NotFound();
        var released = await cluster.GetGrain<IDomainRegistryGrain>(0).ReleaseAsync(poolId, domain, http.GetOperator().Actor);
        if (released.Failure is { } failure) return Problem(failure);
        http.RequestServices.GetRequiredService<PoolHosts>().Invalidate();
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Problem(Failure failure) => failure.Code switch
    {
        DomainFailureCodes.Taken or DomainFailureCodes.TooMany => ApiProblems.Problem(StatusCodes.Status409Conflict, failure.Code, failure.Message),
        DomainFailureCodes.ChallengeFailed => ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, failure.Code, failure.Message),
        _ => AdminHttp.Problem(failure),
    };
}
