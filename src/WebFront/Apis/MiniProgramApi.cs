using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Apis;

/// <summary>The phone side, called by the WeChat mini program: scan, then confirm or cancel.</summary>
public static class MiniProgramApi
{
    public static IEndpointRouteBuilder MapMiniProgramApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/mini-program/tickets/{ticketId}").WithTags("Mini program");
        api.MapPost("/scan", ScanAsync).WithName("ScanTicket")
            .WithSummary("Mark the ticket scanned by the WeChat user behind a wx.login code; returns who is asking and a scan token");
        api.MapPost("/confirm", ConfirmAsync).WithName("ConfirmTicket")
            .WithSummary("Approve the login (same user as the scan), optionally sharing the phone number through a phone-number code");
        api.MapPost("/cancel", CancelAsync).WithName("CancelTicket")
            .WithSummary("Refuse the login (same user as the scan)");
        return app;
    }

    private static async Task<Results<Ok<ScanResponse>, ProblemHttpResult>> ScanAsync(string ticketId, ScanTicketRequest request, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return TicketsApi.MalformedId();
        if (request.LoginCode is not { Length: > 0 and <= 128 } code) return ApiProblems.Invalid("loginCode", "Required: the code from wx.login, at most 128 characters.");
        if (request.Nickname is { } nickname && (nickname.Length > 64 || !GrainKeys.IsSafeText(nickname)))
            return ApiProblems.Invalid("nickname", "At most 64 characters, no control characters.");
        if (request.AvatarUrl is { } avatar && (avatar.Length > 1024 || !GrainKeys.IsSafeText(avatar) || !Uri.TryCreate(avatar, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            return ApiProblems.Invalid("avatarUrl", "An absolute http(s) URL of at most 1024 characters.");

        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).ScanAsync(new ScanRequest(code, request.Nickname, request.AvatarUrl));
        if (outcome.Value is not { } view) return ApiProblems.From(outcome.Failure!);
        return TypedResults.Ok(new ScanResponse(TicketView.From(view.Ticket), view.ScanToken, view.AppName, view.IdentitySourceName,
            view.Requester.IpAddress, view.Requester.UserAgent, view.RequestedAt, view.Requester.Origin));
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> ConfirmAsync(string ticketId, ConfirmTicketRequest request, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return TicketsApi.MalformedId();
        if (request.ScanToken is not { Length: > 0 and <= 128 } token) return ApiProblems.Invalid("scanToken", "Required: the token the scan returned.");
        if (request.PhoneCode is { Length: > 128 }) return ApiProblems.Invalid("phoneCode", "At most 128 characters.");
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).ConfirmAsync(new ConfirmRequest(token, request.PhoneCode));
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> CancelAsync(string ticketId, CancelTicketRequest request, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return TicketsApi.MalformedId();
        if (request.ScanToken is not { Length: > 0 and <= 128 } token) return ApiProblems.Invalid("scanToken", "Required: the token the scan returned.");
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).CancelAsync(token);
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }
}
