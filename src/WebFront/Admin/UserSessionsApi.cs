using Microsoft.AspNetCore.Http.HttpResults;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Admin;

/// <summary>Operators end a user's hosted-login sessions and revoke its refresh tokens (blocking or deleting the user does it too).</summary>
public static class UserSessionsApi
{
    public static RouteGroupBuilder MapUserSessionsApi(this RouteGroupBuilder admin)
    {
        admin.MapDelete("/pools/{poolId}/users/{userId}/sessions", EndAsync).WithTags("Admin: users").WithName("EndUserSessions")
            .WithSummary("End the user's hosted-login sessions (every browser must scan again) and revoke its refresh tokens");
        return admin;
    }

    private static async Task<Results<Ok<SessionsEnded>, ProblemHttpResult>> EndAsync(string poolId, string userId, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || userId.Length is 0 or > 64) return AdminHttp.NotFound();
        var ended = await cluster.GetGrain<IUserPoolGrain>(poolId).EndUserSessionsAsync(userId, http.GetOperator().Actor);
        return ended.Value is { } counts ? TypedResults.Ok(counts) : AdminHttp.Problem(ended.Failure!);
    }
}
