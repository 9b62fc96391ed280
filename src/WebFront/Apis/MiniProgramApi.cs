using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.RateLimits;

namespace ScanLogin.WebFront.Apis;

/// <summary>The phone side, called by the WeChat mini program: scan, then confirm or cancel.</summary>
public static class MiniProgramApi
{
    public static IEndpointRouteBuilder MapMiniProgramApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/mini-program/tickets/{ticketId}").WithTags("Mini program");
        api.MapPost("/scan", ScanAsync).WithName("ScanTicket").WithRateLimit(AbuseLimit.PhoneAttempt)
            .WithSummary("Mark the ticket scanned by the WeChat user behind a wx.login code; returns who is asking and a scan token");
        api.MapPost("/confirm", ConfirmAsync).WithName("ConfirmTicket").WithRateLimit(AbuseLimit.PhoneAttempt)
            .WithSummary("Approve the login (same user as the scan), optionally sharing the phone number through a phone-number code");
        api.MapPost("/cancel", CancelAsync).WithName("CancelTicket").WithRateLimit(AbuseLimit.PhoneAttempt)
            .WithSummary("Refuse the login (same user as the scan)");
        return app;
    }

    private static async Task<Results<Ok<ScanResponse>, ProblemHttpResult>> ScanAsync(string ticketId, ScanTicketRequest request, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        if (CheckScan(request) is { } invalid) return ApiProblems.Invalid(invalid.Field, invalid.Rule);

        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).ScanAsync(new ScanRequest(request.LoginCode!, request.Nickname, request.AvatarUrl));
        if (outcome.Value is not { } view) return ApiProblems.From(outcome.Failure!);
        return TypedResults.Ok(new ScanResponse(TicketView.From(view.Ticket), view.ScanToken, view.AppName, view.IdentitySourceName,
            view.Requester.IpAddress, view.Requester.UserAgent, view.RequestedAt, view.Requester.Origin)
        {
            AppLogoUrl = view.AppLogoUrl,
            RequestedVia = view.RequestedVia,
        });
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> ConfirmAsync(string ticketId, ConfirmTicketRequest request, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        if (CheckConfirm(request) is { } invalid) return ApiProblems.Invalid(invalid.Field, invalid.Rule);
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).ConfirmAsync(new ConfirmRequest(request.ScanToken!, request.PhoneCode));
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }

    private static async Task<Results<Ok<TicketView>, ProblemHttpResult>> CancelAsync(string ticketId, CancelTicketRequest request, IClusterClient cluster)
    {
        if (!Secrets.IsWellFormedId(ticketId)) return ApiProblems.MalformedTicketId();
        if (CheckScanToken(request.ScanToken) is { } invalid) return ApiProblems.Invalid(invalid.Field, invalid.Rule);
        var outcome = await cluster.GetGrain<ITicketGrain>(ticketId).CancelAsync(request.ScanToken!);
        return outcome.Value is { } s ? TypedResults.Ok(TicketView.From(s)) : ApiProblems.From(outcome.Failure!);
    }

    // The phone's input rules, shared with the Authing-compatible phone endpoints so both refuse the same things.
    internal static (string Field, string Rule)? CheckScan(ScanTicketRequest request)
    {
        if (request.LoginCode is not { Length: > 0 and <= 128 }) return ("loginCode", "Required: the code from wx.login, at most 128 characters.");
        if (request.Nickname is { } nickname && (nickname.Length > 64 || !GrainKeys.IsSafeText(nickname)))
            return ("nickname", "At most 64 characters, no control characters.");
        if (request.AvatarUrl is { } avatar && (avatar.Length > 1024 || !GrainKeys.IsSafeText(avatar) || !Uri.TryCreate(avatar, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            return ("avatarUrl", "An absolute http(s) URL of at most 1024 characters.");
        return null;
    }

    internal static (string Field, string Rule)? CheckConfirm(ConfirmTicketRequest request) =>
        CheckScanToken(request.ScanToken) ?? (request.PhoneCode is { Length: > 128 } ? ("phoneCode", "At most 128 characters.") : null);

    internal static (string Field, string Rule)? CheckScanToken(string? scanToken) =>
        scanToken is { Length: > 0 and <= 128 } ? null : ("scanToken", "Required: the token the scan returned.");
}
