using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Hosting;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// Ask-binding, the PC side: once the phone approved a WeChat identity the pool does not know, the ticket waits in
/// <c>binding_required</c>; the page holding it (proven as for an exchange) signs in to an existing account or
/// creates one, and the ticket becomes <c>confirmed</c> for the usual exchange.
/// </summary>
public static class BindingApi
{
    public static IEndpointRouteBuilder MapBindingApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tickets/{ticketId}/binding").WithTags("Ask binding").RequireCors(BrowserCors.PolicyName);
        api.MapGet("/", GetOfferAsync).WithName("GetBindingOffer")
            .WithSummary("What the PC side may do with a ticket in `binding_required`: sign in, and whether it may register");
        api.MapPost("/existing", BindExistingAsync).WithName("BindExistingAccount")
            .WithSummary("Sign in to an existing account of the pool (username, email or phone + password) and bind the WeChat identity to it")
            .WithDescription("Prove the right to the ticket as for an exchange: `X-Browser-Secret`, or `Authorization: Basic base64(appId:appSecret)`, " +
                             "and that the computer is with the phone that approved: `bindingCode`, the 6 digits the phone's confirm answer carries. " +
                             "Wrong codes and passwords are limited per ticket (it ends `rejected`, `too_many_attempts`); wrong passwords also per account " +
                             "and WeChat identity. An unknown account, a wrong password and a locked one get the same answer, `invalid_credentials`.");
        api.MapPost("/new", BindNewAsync).WithName("BindNewAccount")
            .WithSummary("Create a new account with the WeChat identity (and its shared phone), where the identity source allows registration")
            .WithDescription("Needs `bindingCode`, the 6 digits the phone shows, as signing in does.");
        return app;
    }

    private static async Task<Results<Ok<BindingOfferView>, ProblemHttpResult>> GetOfferAsync(string ticketId, HttpRequest http, IClusterClient cluster)
    {
        if (Check(ticketId, http, out var holder) is { } bad) return bad;
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).GetBindingAsync(holder!);
        if (outcome.Value is not { } offer) return ApiProblems.From(outcome.Failure!);
        return TypedResults.Ok(new BindingOfferView(TicketView.From(offer.Ticket), SignIn: true, offer.CanRegister, offer.PhoneShared, offer.AttemptsLeft));
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> BindExistingAsync(string ticketId, BindExistingRequest request,
        HttpRequest http, IClusterClient cluster)
    {
        if (Check(ticketId, http, out var holder) is { } bad) return bad;
        if (BindingInput.Check(request) is { } invalid) return invalid;
        if (await LimitAsync(ticketId, holder!, http, cluster) is { } tooMany) return tooMany;
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).BindExistingAccountAsync(holder!, request.BindingCode!, request.Account!, request.Password!);
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> BindNewAsync(string ticketId, BindNewRequest request,
        HttpRequest http, IClusterClient cluster)
    {
        if (Check(ticketId, http, out var holder) is { } bad) return bad;
        if (BindingInput.Check(request, out var account) is { } invalid) return invalid;
        if (await LimitAsync(ticketId, holder!, http, cluster) is { } tooMany) return tooMany;
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).BindNewAccountAsync(holder!, request.BindingCode!, account);
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }

    /// <summary>
    /// Binding attempts per address, under the rules of the ticket's application (named by the credentials, else read from
    /// the ticket: one more call, on a path that checks a password anyway).
    /// </summary>
    private static async Task<ProblemHttpResult?> LimitAsync(string ticketId, TicketHolder holder, HttpRequest http, IClusterClient cluster)
    {
        var appId = holder.App?.AppId ?? (await cluster.GetGrain<ITicketGrain>(ticketId).GetStatusAsync()).Value?.AppId;
        return appId is not null && await AbuseLimits.BindingAttemptAsync(http.HttpContext, appId) is { } refusal ? refusal.ToProblem(http.HttpContext) : null;
    }

    /// <summary>The ticket id and exactly one proof of holding it, as the exchange asks.</summary>
    private static ProblemHttpResult? Check(string ticketId, HttpRequest http, out TicketHolder? holder)
    {
        holder = null;
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        var browserSecret = http.Headers["X-Browser-Secret"].ToString() is { Length: > 0 and <= 128 } s ? s : null;
        var app = BasicCredentials.ApplicationOf(http);
        if ((browserSecret is null) == (app is null))
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "credentials_required",
                "Send exactly one of X-Browser-Secret or Authorization: Basic base64(appId:appSecret).");
        holder = new TicketHolder(browserSecret, app);
        return null;
    }
}

/// <summary>What the PC side may do: sign in to an existing account always; register only where the identity source allows it.</summary>
public sealed record BindingOfferView(TicketView Ticket, bool SignIn, bool Register, bool PhoneShared, int AttemptsLeft);

/// <summary>
/// An existing account: its username, email or phone number (with country code, like +8613800138000), its password, and the
/// 6-digit binding code the phone shows.
/// </summary>
public sealed record BindExistingRequest(string? Account, string? Password, string? BindingCode = null)
{
    public override string ToString() => $"BindExistingRequest {{ Account = {Account} }}";
}

/// <summary>
/// A new account. All optional but the binding code the phone shows: without a username or email it is a WeChat-only account
/// (with the phone WeChat shared).
/// </summary>
public sealed record BindNewRequest(string? Username, string? Email, string? Password, string? Nickname, string? BindingCode = null)
{
    public override string ToString() => $"BindNewRequest {{ Username = {Username}, Email = {Email}, Nickname = {Nickname} }}";
}
