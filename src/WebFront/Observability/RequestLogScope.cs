namespace ScanLogin.WebFront.Observability;

/// <summary>Puts the ticket and pool a request is about in the log scope of everything logged while serving it.</summary>
public static class RequestLogScope
{
    private static readonly string[] Ids = ["ticketId", "poolId"];

    public static IApplicationBuilder UseRequestLogScope(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ScanLogin.WebFront.Requests");
        return app.Use(async (http, next) =>
        {
            Dictionary<string, object>? scope = null;
            foreach (var id in Ids)
                if (http.Request.RouteValues.TryGetValue(id, out var value) && value is string { Length: > 0 and <= 64 } s)
                    (scope ??= [])[id == "ticketId" ? "TicketId" : "PoolId"] = s;
            if (scope is null)
            {
                await next(http);
                return;
            }
            using (logger.BeginScope(scope)) await next(http);
        });
    }
}
