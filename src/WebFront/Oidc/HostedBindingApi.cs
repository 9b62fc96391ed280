using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Oidc;

/// <summary>
/// The hosted page's ask-binding step: the same moves as /api/tickets/{id}/binding, but proven by the login's HttpOnly cookie
/// (the page's script never holds the ticket's browser secret) and limited to the page's own origin.
/// </summary>
public static class HostedBindingApi
{
    public static IEndpointRouteBuilder MapHostedBindingApi(this IEndpointRouteBuilder app)
    {
        var binding = app.MapGroup("/oidc/{poolId}/login/{requestId}/binding").ExcludeFromDescription();
        binding.MapGet("/", GetOfferAsync);
        binding.MapPost("/existing", BindExistingAsync);
        binding.MapPost("/new", BindNewAsync);
        return app;
    }

    private static async Task<Results<Ok<BindingOfferView>, ProblemHttpResult>> GetOfferAsync(string poolId, string requestId, HttpContext http, IClusterClient cluster)
    {
        var (ticket, holder, appId, refused) = await HoldAsync(poolId, requestId, http, cluster);
        if (refused is not null) return refused;
        var outcome = await ticket!.GetBindingAsync(holder!);
        if (outcome.Value is not { } offer) return ApiProblems.From(outcome.Failure!);
        return TypedResults.Ok(new BindingOfferView(TicketView.From(offer.Ticket), SignIn: true, offer.CanRegister, offer.PhoneShared, offer.AttemptsLeft));
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> BindExistingAsync(string poolId, string requestId, BindExistingRequest request, HttpContext http, IClusterClient cluster)
    {
        var (ticket, holder, appId, refused) = await HoldAsync(poolId, requestId, http, cluster);
        if (refused is not null) return refused;
        if (BindingInput.Check(request) is { } invalid) return invalid;
        if (await AbuseLimits.BindingAttemptAsync(http, appId!) is { } tooMany) return tooMany.ToProblem(http);
        var outcome = await ticket!.BindExistingAccountAsync(holder!, request.BindingCode!, request.Account!, request.Password!);
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> BindNewAsync(string poolId, string requestId, BindNewRequest request, HttpContext http, IClusterClient cluster)
    {
        var (ticket, holder, appId, refused) = await HoldAsync(poolId, requestId, http, cluster);
        if (refused is not null) return refused;
        if (BindingInput.Check(request, out var account) is { } invalid) return invalid;
        if (await AbuseLimits.BindingAttemptAsync(http, appId!) is { } tooMany) return tooMany.ToProblem(http);
        var outcome = await ticket!.BindNewAccountAsync(holder!, request.BindingCode!, account);
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }

    /// <summary>The login's current ticket and the proof of holding it, from this browser's cookie only.</summary>
    private static async Task<(ITicketGrain? Ticket, TicketHolder? Holder, string? AppId, ProblemHttpResult? Refused)> HoldAsync(string poolId, string requestId, HttpContext http,
        IClusterClient cluster)
    {
        if (!HostedLoginApi.IsPageRequest(http.Request))
            return (null, null, null, ApiProblems.Problem(403, "cross_site_request", "Bind from the login page itself."));
        if (!HostedLoginApi.IsSafeId(poolId) || !Secrets.IsWellFormedId(requestId) || HostedLoginApi.Cookie(http, requestId) is not { } secret)
            return (null, null, null, ApiProblems.Problem(403, AuthorizationFailures.OtherBrowser, "This login was started in another browser."));
        if (UnknownIds.RefusalOf(http) is { } tooManyUnknown) return (null, null, null, tooManyUnknown.ToProblem(http));
        var login = await http.RequestServices.GetRequiredService<UnknownIds>().AuthorizationAsync(http, cluster, requestId, secret);
        if (login.Value is not { } view || view.Request.PoolId != poolId) return (null, null, null, HostedLoginApi.LoginProblem(login.Failure));
        http.Response.Headers.CacheControl = "no-store";
        return (cluster.GetGrain<ITicketGrain>(view.TicketId), new TicketHolder(secret, null, HostedLogin: true), view.Request.ClientId, null);
    }
}
