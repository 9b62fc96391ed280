namespace ScanLogin.WebFront.Observability;

/// <summary>Puts the ticket and pool a request is about in the log scope of everything logged while serving it.</summary>
public static class RequestLogScope
{
    public static IApplicationBuilder UseRequestLogScope(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ScanLogin.WebFront.Requests");
        return app.Use((http, next) =>
        {
            var ticketId = IdOf(http, "ticketId");
            var poolId = IdOf(http, "poolId");
            // Nothing to add (most requests): no scope, and no frame held while the request runs.
            if (ticketId is null && poolId is null) return next(http);
            return WithScopeAsync(http, next, logger, new Ids(ticketId, poolId));
        });
    }

    private static async Task WithScopeAsync(HttpContext http, RequestDelegate next, ILogger logger, Ids ids)
    {
        using (logger.BeginScope(ids)) await next(http);
    }

    private static string? IdOf(HttpContext http, string name) =>
        http.Request.RouteValues.TryGetValue(name, out var value) && value is string { Length: > 0 and <= 64 } s ? s : null;

    /// <summary>The scope's values as loggers read them (a list of pairs), in one small object instead of a dictionary.</summary>
    private sealed class Ids(string? ticketId, string? poolId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        private KeyValuePair<string, object>[] Pairs =>
        [
            .. ticketId is null ? [] : new[] { new KeyValuePair<string, object>("TicketId", ticketId) },
            .. poolId is null ? [] : new[] { new KeyValuePair<string, object>("PoolId", poolId) },
        ];

        public int Count => (ticketId is null ? 0 : 1) + (poolId is null ? 0 : 1);

        public KeyValuePair<string, object> this[int index] => Pairs[index];

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)Pairs).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(", ", Pairs.Select(p => $"{p.Key}:{p.Value}"));
    }
}
