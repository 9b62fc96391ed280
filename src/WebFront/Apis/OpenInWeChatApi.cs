using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Apis;

/// <summary>
/// The same-phone way in: a QR code cannot be scanned by the phone that shows it, so a page on a phone offers a WeChat
/// link that opens the mini program's confirm page for the ticket. Public like the ticket's QR image (it opens exactly
/// what the code opens); limited per address, and the ticket keeps the one link WeChat made for it.
/// </summary>
public static class OpenInWeChatApi
{
    public sealed record OpenInWeChatView(string Url, DateTimeOffset ExpiresAt);

    public static IEndpointRouteBuilder MapOpenInWeChatApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tickets/{ticketId}/open-in-wechat", GetAsync).WithTags("QR codes").WithName("GetOpenInWeChatLink").WithUnknownTicketIds()
            .WithSummary("A WeChat URL Link (or URL Scheme) that opens the mini program's confirm page for this ticket, for a page shown on a phone")
            .WithDescription("Made once per live ticket (`pending` or `scanned`); an expired ticket answers 410 `ticket_expired`, a finished one 409.");
        return app;
    }

    private static async Task<Results<Ok<OpenInWeChatView>, ProblemHttpResult>> GetAsync(string ticketId, HttpContext http, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        if (await AbuseLimits.Limiter(http).TakeAsync(RateLimitKeys.WeChatLinksPerClientIp, null, AbuseLimits.ClientKey(http)) is { Allowed: false } d)
            return new LimitRefusal(AbuseLimits.RateLimited, "Too many WeChat links asked from this address.", d).ToProblem(http);
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).GetOpenInWeChatLinkAsync();
        if (outcome.Value is not { } link) return ApiProblems.From(outcome.Failure!);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new OpenInWeChatView(link.Url, link.ExpiresAt));
    }
}
