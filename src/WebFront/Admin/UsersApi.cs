using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.RegularExpressions;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Apis;

namespace ScanLogin.WebFront.Admin;

/// <summary>
/// A pool's users for operators: create and import (passwords hashed by ASP.NET Core Identity's PasswordHasher, or
/// imported already hashed in its format), read, search, block, delete, and their WeChat identities. Every change is audited.
/// </summary>
public static partial class UsersApi
{
    public sealed record UserRequest(string? Username, string? Email, string? Phone, string? Nickname, string? AvatarUrl, string? Password,
        string? PasswordHash, bool? Blocked)
    {
        public override string ToString() => $"UserRequest {{ Username = {Username}, Email = {Email}, Nickname = {Nickname}, Blocked = {Blocked} }}";
    }
    public sealed record ImportRequest(UserRequest[]? Users);
    public sealed record ImportResult(int Index, UserRecord? User, string? Error, string? Detail);
    public sealed record ImportAnswer(int Created, int Failed, IEnumerable<ImportResult> Results);

    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/pools/{poolId}/users").WithTags("Admin: users");
        users.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("The pool's users, paged");
        users.MapPost("/search", SearchAsync).WithName("SearchUsers")
            .WithSummary("Users matching exactly one of phone, email, username, openId, unionId (in the body, so no phone lands in a URL or an access log)");
        users.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Create a user (username, email and/or phone; optional password)")
            .Produces<UserRecord>(201);
        users.MapPost("/import", ImportAsync).WithName("ImportUsers")
            .WithSummary($"Create up to {MaxImport} users; each succeeds or fails on its own (passwords in clear, or passwordHash from ASP.NET Core Identity)");
        users.MapGet("/{userId}", GetAsync).WithName("GetUser").Produces<UserRecord>();
        users.MapPost("/{userId}/block", (string poolId, string userId, HttpContext http, IClusterClient cluster) => BlockAsync(poolId, userId, true, http, cluster))
            .WithName("BlockUser").WithSummary("Block the user: its logins end rejected with user_blocked");
        users.MapPost("/{userId}/unblock", (string poolId, string userId, HttpContext http, IClusterClient cluster) => BlockAsync(poolId, userId, false, http, cluster))
            .WithName("UnblockUser");
        users.MapDelete("/{userId}", DeleteAsync).WithName("DeleteUser").WithSummary("Delete the user and its identities (they log in as new afterwards)");
        users.MapGet("/{userId}/identities", IdentitiesAsync).WithName("ListUserIdentities");
        users.MapDelete("/{userId}/identities/{subject}", UnbindAsync).WithName("UnbindUserIdentity")
            .WithSummary("Unbind one WeChat identity (by its subject) from the user");
        return admin;
    }

    private const int MaxImport = 500;

    public sealed record SearchRequest(string? Phone, string? Email, string? Username, string? OpenId, string? UnionId, int? Limit)
    {
        public override string ToString() => $"SearchRequest {{ Phone = {PhoneMask.Mask(Phone)}, Limit = {Limit} }}";
    }

    private static async Task<Results<JsonHttpResult<JsonObject>, ProblemHttpResult>> ListAsync(string poolId, HttpContext http, IClusterClient cluster, string? cursor = null, string? limit = null)
    {
        if (!AdminHttp.TryReadPage(limit, out var size)) return AdminHttp.BadLimit();
        if (!Cursors.TryDecode(cursor, out _)) return AdminHttp.BadCursor();
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        return AdminHttp.Page(await cluster.GetGrain<ICatalogGrain>(0).ListAsync(CatalogKind.Users, poolId, cursor, size));
    }

    private static async Task<Results<JsonHttpResult<AdminHttp.ItemList<UserRecord[]>>, ProblemHttpResult>> SearchAsync(string poolId, SearchRequest request, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        var fields = new[] { request.Phone, request.Email, request.Username, request.OpenId, request.UnionId };
        if (fields.Count(f => f is not null) != 1 || fields.Any(f => f is { Length: 0 or > 254 }))
            return ApiProblems.Invalid("body", "Exactly one of phone, email, username, openId, unionId (1 to 254 characters).");
        if (request.Limit is < 1 or > AdminHttp.MaxPageSize) return AdminHttp.BadLimit();
        var found = await cluster.GetGrain<IUserPoolGrain>(poolId).SearchUsersAsync(
            new UserQuery(request.Phone, request.Email, request.Username, request.OpenId, request.UnionId), request.Limit ?? AdminHttp.DefaultPageSize);
        return TypedResults.Json(new AdminHttp.ItemList<UserRecord[]>(found));
    }

    private static async Task<Results<JsonHttpResult<UserRecord>, ProblemHttpResult>> CreateAsync(string poolId, UserRequest request, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        var validation = new AdminValidation();
        Validate(validation, "", request);
        if (!validation.IsValid) return AdminHttp.Invalid(validation);
        var created = await cluster.GetGrain<IUserPoolGrain>(poolId).CreateUsersAsync([ToAccount(request)], http.GetOperator().Actor);
        if (created.Value is not [var one]) return AdminHttp.Problem(created.Failure!);
        if (one.User is not { } user) return ApiProblems.From(one.Failure!);
        http.Response.Headers.Location = $"/admin/v1/pools/{poolId}/users/{user.Id}";
        return TypedResults.Json(user, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Results<JsonHttpResult<ImportAnswer>, ProblemHttpResult>> ImportAsync(string poolId, ImportRequest request, HttpContext http, IClusterClient cluster)
    {
        if (await PoolsApi.FindAsync(poolId, http, cluster) is null) return AdminHttp.NotFound();
        var validation = new AdminValidation();
        if (request.Users is not { Length: > 0 and <= MaxImport } users)
        {
            validation.Fail("users", $"1 to {MaxImport} users.");
            return AdminHttp.Invalid(validation);
        }
        for (var i = 0; i < users.Length; i++) Validate(validation, $"users[{i}].", users[i]);
        if (!validation.IsValid) return AdminHttp.Invalid(validation);
        var created = await cluster.GetGrain<IUserPoolGrain>(poolId).CreateUsersAsync(users.Select(ToAccount).ToArray(), http.GetOperator().Actor);
        if (created.Value is not { } results) return AdminHttp.Problem(created.Failure!);
        return TypedResults.Json(new ImportAnswer(results.Count(r => r.User is not null), results.Count(r => r.User is null),
            results.Select((r, i) => new ImportResult(i, r.User, r.Failure?.Code, r.Failure?.Message))));
    }

    private static async Task<Results<JsonHttpResult<UserRecord>, ProblemHttpResult>> GetAsync(string poolId, string userId, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || !IsUserId(userId)) return AdminHttp.NotFound();
        return await cluster.GetGrain<IUserPoolGrain>(poolId).GetUserRecordAsync(userId) is { } user ? TypedResults.Json(user) : AdminHttp.NotFound();
    }

    private static async Task<Results<JsonHttpResult<UserRecord>, ProblemHttpResult>> BlockAsync(string poolId, string userId, bool blocked, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || !IsUserId(userId)) return AdminHttp.NotFound();
        var changed = await cluster.GetGrain<IUserPoolGrain>(poolId).SetUserBlockedAsync(userId, blocked, http.GetOperator().Actor);
        return changed.Value is { } user ? TypedResults.Json(user) : AdminHttp.Problem(changed.Failure!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string poolId, string userId, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || !IsUserId(userId)) return AdminHttp.NotFound();
        var deleted = await cluster.GetGrain<IUserPoolGrain>(poolId).DeleteUserAsync(userId, http.GetOperator().Actor);
        return deleted.Succeeded ? TypedResults.NoContent() : AdminHttp.Problem(deleted.Failure!);
    }

    private static async Task<Results<JsonHttpResult<AdminHttp.ItemList<UserIdentityView[]>>, ProblemHttpResult>> IdentitiesAsync(string poolId, string userId, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || !IsUserId(userId)) return AdminHttp.NotFound();
        var identities = await cluster.GetGrain<IUserPoolGrain>(poolId).ListIdentitiesAsync(userId);
        return identities.Value is { } list ? TypedResults.Json(new AdminHttp.ItemList<UserIdentityView[]>(list)) : AdminHttp.Problem(identities.Failure!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnbindAsync(string poolId, string userId, string subject, HttpContext http, IClusterClient cluster)
    {
        if (!http.GetOperator().CanSee(poolId) || !IsUserId(userId) || subject.Length is 0 or > 300) return AdminHttp.NotFound();
        var removed = await cluster.GetGrain<IUserPoolGrain>(poolId).UnbindIdentityAsync(userId, subject, http.GetOperator().Actor);
        return removed.Succeeded ? TypedResults.NoContent() : AdminHttp.Problem(removed.Failure!);
    }

    private static NewAccount ToAccount(UserRequest r) =>
        new(r.Username, r.Email, r.Phone, r.Nickname?.Trim(), r.AvatarUrl, r.Password, r.PasswordHash, r.Blocked ?? false);

    private static void Validate(AdminValidation v, string prefix, UserRequest? r)
    {
        if (r is null) { v.Fail(prefix + "body", "A user object."); return; }
        if (r.Username is null && r.Email is null && r.Phone is null) v.Fail(prefix + "username", "At least one of username, email or phone.");
        if (r.Username is { } u && !BindingInput.UsernamePattern().IsMatch(u))
            v.Fail(prefix + "username", "3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        if (r.Email is { } e && !BindingInput.IsEmail(e)) v.Fail(prefix + "email", "An email address, at most 254 characters.");
        if (r.Phone is { } p && !PhonePattern().IsMatch(p)) v.Fail(prefix + "phone", "E.164: '+', country code and number, like +8613800138000.");
        if (r.Nickname is not null) v.Name(prefix + "nickname", r.Nickname);
        v.Url(prefix + "avatarUrl", r.AvatarUrl);
        if (r.Password is { } pw && pw.Length is < 8 or > 128) v.Fail(prefix + "password", "8 to 128 characters.");
        if (r.Password is not null && r.PasswordHash is not null) v.Fail(prefix + "passwordHash", "Either password or passwordHash, not both.");
        if (r.PasswordHash is { Length: > 512 }) v.Fail(prefix + "passwordHash", "At most 512 characters.");
        if ((r.Password ?? r.PasswordHash) is not null && r.Username is null && r.Email is null && r.Phone is null)
            v.Fail(prefix + "password", "A password needs a username, email or phone to sign in with.");
    }

    private static bool IsUserId(string userId) => userId.Length is > 0 and <= 64;

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhonePattern();
}
