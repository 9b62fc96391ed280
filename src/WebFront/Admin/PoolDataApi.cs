using Microsoft.AspNetCore.Http.HttpResults;
using System.Globalization;
using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Admin;

/// <summary>What a pool accumulates: its audit log, read from the catalog tables (users: <see cref="UsersApi"/>).</summary>
public static class PoolDataApi
{
    private const int MaxFilterLength = 200;
    private static readonly string[] TimeFormats =
        ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];

    /// <summary>The audit listing's query: paging plus filters, each optional; <c>from</c> inclusive, <c>to</c> exclusive (ISO 8601 with offset).</summary>
    public sealed record AuditQuery(string? Cursor, string? Limit, string? Action, string? ResourceType, string? ResourceId, string? From, string? To, string? Actor);

    public static RouteGroupBuilder MapPoolDataApi(this RouteGroupBuilder admin)
    {
        var pool = admin.MapGroup("/pools/{poolId}").WithTags("Admin: audit");
        pool.MapGet("/audit", AuditAsync).WithName("ListAudit")
            .WithSummary("Every change to the pool, oldest first: who, what, when, before and after (secrets never appear)")
            .WithDescription("Filters (each optional, combined with AND): action (e.g. update), resourceType (pool, application, identity_source, user, " +
                             "api_key, signing_key), resourceId, actor (e.g. platform:platform), from (inclusive) and to (exclusive) as ISO 8601 times with an offset, " +
                             "e.g. ?resourceType=application&from=2026-12-01T00:00:00Z. Keep the same filters when following nextCursor.");
        return admin;
    }

    private static async Task<Results<Ok<Page<AuditEntry>>, ProblemHttpResult>> AuditAsync(string poolId, [AsParameters] AuditQuery query, HttpContext http, IClusterClient cluster)
    {
        if (!AdminHttp.TryReadPage(query.Limit, out var size)) return AdminHttp.BadLimit();
        if (!Cursors.TryDecodeSequence(query.Cursor, out _)) return AdminHttp.BadCursor();
        var (filter, validation) = ToFilter(query);
        if (filter is null) return AdminHttp.Invalid(validation);
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        return TypedResults.Ok(await cluster.GetGrain<ICatalogGrain>(0).ListAuditAsync(poolId, query.Cursor, size, filter));
    }

    /// <summary>Every filter checked, each refusal named by its parameter.</summary>
    private static (AuditFilter? Filter, AdminValidation Validation) ToFilter(AuditQuery query)
    {
        var v = new AdminValidation();
        var action = Word(v, "action", query.Action);
        var resourceType = Word(v, "resourceType", query.ResourceType);
        var resourceId = Text(v, "resourceId", query.ResourceId);
        var actor = Text(v, "actor", query.Actor);
        var from = Time(v, "from", query.From);
        var to = Time(v, "to", query.To);
        if (from is not null && to is not null && from >= to) v.Fail("to", "Must be later than from.");
        return v.IsValid ? (new AuditFilter(action, resourceType, resourceId, from, to, actor), v) : (null, v);
    }

    private static string? Word(AdminValidation v, string field, string? value)
    {
        if (value is null) return null;
        if (value.Length is 0 or > 40 || !value.All(c => c is (>= 'a' and <= 'z') or '_'))
            v.Fail(field, "Lower-case letters and underscores, as the entries show it (e.g. update, identity_source).");
        return value;
    }

    private static string? Text(AdminValidation v, string field, string? value)
    {
        if (value is not null && (value.Length is 0 or > MaxFilterLength || !GrainKeys.IsSafeText(value)))
            v.Fail(field, $"1 to {MaxFilterLength} characters, exactly as the entries show it.");
        return value;
    }

    private static DateTimeOffset? Time(AdminValidation v, string field, string? value)
    {
        if (value is null) return null;
        // An offset is required (zzz or Z): a time without one would be read in the server's zone.
        if (value.Length > 40 || !DateTimeOffset.TryParseExact(value, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            v.Fail(field, "An ISO 8601 time with an offset, like 2026-12-01T00:00:00Z.");
            return null;
        }
        return at.ToUniversalTime();
    }
}
