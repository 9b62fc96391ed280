using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Hosting;
using ScanLogin.WebFront.Push;
using ScanLogin.WebFront.RateLimits;
using static ScanLogin.WebFront.Apis.Authing.AuthingTranslation;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace ScanLogin.WebFront.Apis.Authing;

/// <summary>
/// The QR login endpoints of the official Authing JS SDK (<c>authing-js-sdk</c> 4.x, <c>client.wxqrcode</c>) and the phone side
/// Authing documents, under <c>/api/v2/qrcode</c> and <c>/api/qrcode</c>. A translation layer only: tickets are opened, moved and
/// exchanged by the same grain calls as the native API, so every rule (origins, lifetimes, account policy, single use,
/// who may exchange) is the native one. Answers are always HTTP 200 with the envelope <c>{code, message, data}</c>: the SDK
/// reads a refusal's code only from a 2xx body (axios turns any other status into a transport error without it).
/// </summary>
public static class AuthingQrApi
{
    public const string AppIdHeader = "x-authing-app-id";
    public const string WeChatMiniProgramScene = "WXAPP_AUTH";
    public const string SceneNotSupported = "scene_not_supported";
    public const string CustomDataNotSupported = "custom_data_not_supported";
    public const string AppIdRequired = "app_id_required";

    private static readonly string[] Prefixes = ["/api/v2/qrcode", "/api/qrcode"];
    private static readonly Failure NotFound = new(FailureCodes.TicketNotFound, "The QR code does not exist.");

    public static IEndpointRouteBuilder MapAuthingQrApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in Prefixes)
        {
            var v2 = prefix == Prefixes[0];
            var api = app.MapGroup(prefix).WithTags("Authing SDK: QR login").WithAuthingAbuseLimits();
            if (!v2) api.ExcludeFromDescription(); // the same endpoints again, for GenAuth's documented paths
            api.MapPost("/gene", GeneAsync).RequireCors(BrowserCors.PolicyName).Named(v2, "AuthingGeneQrCode").WithRateLimit(AbuseLimit.TicketCreation)
                .WithSummary("Create a QR code (scene WXAPP_AUTH); tenant and application from x-authing-app-id");
            api.MapGet("/check", CheckAsync).RequireCors(BrowserCors.PolicyName).Named(v2, "AuthingCheckQrCode").WithRateLimit(AbuseLimit.StatusRead)
                .WithSummary("Poll a QR code: status 0 not scanned, 1 scanned, 2 authorized (with ticket), 3 cancelled, -1 expired, 5 refused");
            api.MapPost("/userinfo", UserInfoAsync).RequireCors(BrowserCors.PolicyName).Named(v2, "AuthingExchangeTicket")
                .WithSummary("Exchange a status-2 ticket (once) for the user and a token")
                .WithDescription("The application's backend sends `Authorization: Basic base64(appId:appSecret)`. The browser may exchange " +
                                 "without it only when the application has `authingBrowserExchange` on and the pool allows browser exchange.");
            api.MapPost("/scanned", ScannedAsync).Named(v2, "AuthingMarkScanned").WithRateLimit(AbuseLimit.PhoneAttempt)
                .WithSummary("Phone: the WeChat user behind a wx.login code scanned `random` (the ticket id in the code)");
            api.MapPost("/confirm", ConfirmAsync).Named(v2, "AuthingConfirm").WithRateLimit(AbuseLimit.PhoneAttempt)
                .WithSummary("Phone: approve, with the scan token (body or Authorization: Bearer)");
            api.MapPost("/cancel", CancelAsync).Named(v2, "AuthingCancel").WithRateLimit(AbuseLimit.PhoneAttempt)
                .WithSummary("Phone: refuse, with the scan token (body or Authorization: Bearer)");
        }
        return app;
    }

    private static async Task<Results<Ok<AuthingEnvelope<AuthingGeneResult>>, Ok<AuthingEnvelope<AuthingError>>>> GeneAsync(
        HttpContext http, IClusterClient cluster, IOptions<JsonOptions> json)
    {
        var (app, noApp) = await ApplicationAsync(http, cluster);
        if (noApp is not null) return TypedResults.Ok(noApp);
        var (request, unreadable) = await ReadAsync<AuthingGeneRequest>(http.Request, json.Value.SerializerOptions);
        if (unreadable is not null) return TypedResults.Ok(unreadable);
        if (request!.Scene != WeChatMiniProgramScene)
            return TypedResults.Ok(Refused(StatusCodes.Status400BadRequest, SceneNotSupported,
                $"Scene {request.Scene ?? "(none)"} is not served here: ScanLogin serves WeChat mini-program scan login only (scene WXAPP_AUTH, the SDK's wxqrcode client)."));
        if (request.Params is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } custom
            && (custom.ValueKind != JsonValueKind.Object || custom.EnumerateObject().Any()))
            return TypedResults.Ok(Refused(StatusCodes.Status400BadRequest, CustomDataNotSupported,
                "customData (params) is not supported: ScanLogin keeps no custom user data. Leave it out."));
        if (request.ExtIdpConnId is { } named && !Identifiers.IsIdentifier(named))
            return TypedResults.Ok(Invalid("extIdpConnId", "The identifier of one of the application's identity sources: fewer than 32 lowercase letters, digits or '-'."));

        // No extIdpConnId: the desk takes the access policy's default source (the application's one usable source).
        var source = request.ExtIdpConnId ?? "";
        var randomPart = Secrets.NewSecret();
        // A page sends its Origin; a site's backend calling gene instead shows the application's credentials.
        var backend = BasicCredentials.ApplicationOf(http.Request);
        var opened = await TicketOpener.OpenAsync(app!.AppId, source, Secrets.HashBrowserSecret(BrowserSecretFor(app.AppId, randomPart)), backend, http);
        if (opened.Value is not { } ticket) return TypedResults.Ok(Refused(opened.Failure!));
        var ticketId = ticket.Ticket.TicketId;
        var random = RandomOf(ticketId, randomPart);

        // The lifetime the source gave the ticket, not its deadline: the clocks of silo and front end need not agree.
        var lifetime = (int)ticket.Lifetime.TotalSeconds;
        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/api/tickets/{ticketId}/qr.png";
        return TypedResults.Ok(Ok(new AuthingGeneResult(random, url, CustomLogo: "", lifetime), "QR code created."));
    }

    private static async Task<Results<Ok<AuthingEnvelope<AuthingQrStatus>>, Ok<AuthingEnvelope<AuthingError>>>> CheckAsync(
        HttpContext http, IClusterClient cluster, TicketFeed feed, string? random = null)
    {
        var (app, noApp) = await ApplicationAsync(http, cluster);
        if (noApp is not null) return TypedResults.Ok(noApp);
        if (TicketIdOf(random) is not { } ticketId) return TypedResults.Ok(Refused(NotFound));
        var unknown = http.RequestServices.GetRequiredService<UnknownIds>();
        if (unknown.IsKnownUnknown(UnknownIds.Ticket, ticketId)) return TypedResults.Ok(Refused(NotFound));
        var ticket = await feed.ReadAsync(ticketId);
        await unknown.RememberIfMissingAsync(http, ticket.Failure, UnknownIds.Ticket, ticketId);
        // Another application's code does not exist for this one: tenants never see each other's tickets.
        if (ticket.Value is not { } snapshot || snapshot.AppId != app!.AppId) return TypedResults.Ok(Refused(ticket.Failure ?? NotFound));
        return TypedResults.Ok(Ok(ToStatus(snapshot, random!, app.AppId), "QR code status."));
    }

    private static async Task<Results<Ok<AuthingEnvelope<AuthingUser>>, Ok<AuthingEnvelope<AuthingError>>>> UserInfoAsync(
        HttpContext http, IClusterClient cluster, IOptions<JsonOptions> json, TimeProvider time)
    {
        // A backend proves itself with the application's credentials; they also name the application.
        var backend = BasicCredentials.ApplicationOf(http.Request);
        if (backend is not null && http.Request.Headers[AppIdHeader].ToString() is { Length: > 0 } named && named != backend.AppId)
            return TypedResults.Ok(Refused(StatusCodes.Status400BadRequest, AppIdRequired, "x-authing-app-id and the Basic credentials name different applications."));
        var (app, noApp) = await ApplicationAsync(http, cluster, backend?.AppId);
        if (noApp is not null) return TypedResults.Ok(noApp);
        var (request, unreadable) = await ReadAsync<AuthingUserInfoRequest>(http.Request, json.Value.SerializerOptions);
        if (unreadable is not null) return TypedResults.Ok(unreadable);
        if (TicketIdOf(request!.Ticket) is not { } ticketId)
            return TypedResults.Ok(Refused(new Failure(FailureCodes.ExchangeCodeInvalid, "The ticket is not one a status-2 check answered.")));

        string? browserSecret = null;
        if (backend is null)
        {
            // The application's opt-in and its Origin: the access policy's to decide.
            var refusal = await cluster.GetGrain<IAccessPolicyGrain>(0).CheckAuthingBrowserExchangeAsync(app!.AppId, http.Request.Headers.Origin.ToString());
            if (refusal is not null) return TypedResults.Ok(Refused(refusal));
            browserSecret = SecretOf(request.Ticket!);
        }

        var grain = cluster.GetGrain<ITicketGrain>(ticketId);
        var status = await grain.GetStatusAsync();
        if (status.Value is not { } snapshot || snapshot.AppId != app!.AppId)
            return TypedResults.Ok(status.Failure is { } failure ? await MissingAsync(http, failure, ticketId) : Refused(NotFound));
        if (snapshot.Status == TicketStatus.Consumed)
            return TypedResults.Ok(Refused(new Failure(FailureCodes.AlreadyExchanged, "This ticket has already been exchanged.")));
        if (snapshot.Status == TicketStatus.Expired)
            return TypedResults.Ok(Refused(new Failure(FailureCodes.TicketExpired, "The QR code has expired; get a new one.")));
        if (snapshot.ExchangeCode is not { } code)
            return TypedResults.Ok(Refused(new Failure(FailureCodes.InvalidTransition, $"The QR code is {snapshot.Status.ToWireName()}, not authorized.")));

        var idempotencyKey = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 and <= 128 } k ? k : null;
        var exchanged = await grain.ExchangeAsync(new ExchangeRequest(code, browserSecret, backend, idempotencyKey));
        if (exchanged.Value is not { } grant) return TypedResults.Ok(Refused(exchanged.Failure!));
        return TypedResults.Ok(Ok(ToUser(grant, time.GetUtcNow()), "User info exchanged."));
    }

    private static async Task<Results<Ok<AuthingEnvelope<AuthingScanResult>>, Ok<AuthingEnvelope<AuthingError>>>> ScannedAsync(
        HttpContext http, IClusterClient cluster, IOptions<JsonOptions> json)
    {
        var (request, refused) = await ReadPhoneAsync(http, json.Value.SerializerOptions);
        if (refused is not null) return TypedResults.Ok(refused);
        if (MiniProgramApi.CheckScan(new ScanTicketRequest(request!.LoginCode, request.Nickname, request.AvatarUrl)) is { } invalid)
            return TypedResults.Ok(Invalid(invalid.Field, invalid.Rule));
        var scanned = await cluster.GetGrain<ITicketGrain>(request.Random!)
            .ScanAsync(new ScanRequest(request.LoginCode!, request.Nickname, request.AvatarUrl));
        if (scanned.Value is not { } view) return TypedResults.Ok(await MissingAsync(http, scanned.Failure!, request.Random!));
        return TypedResults.Ok(Ok(new AuthingScanResult(request.Random!, StatusOf(view.Ticket.Status), "Scanned: waiting for the user to confirm.",
            view.ScanToken, view.AppName, view.IdentitySourceName, view.Requester.IpAddress, view.Requester.UserAgent, view.RequestedAt), "QR code scanned."));
    }

    private static async Task<Results<Ok<AuthingEnvelope<AuthingPhoneResult>>, Ok<AuthingEnvelope<AuthingError>>>> ConfirmAsync(
        HttpContext http, IClusterClient cluster, IOptions<JsonOptions> json)
    {
        var (request, refused) = await ReadPhoneAsync(http, json.Value.SerializerOptions);
        if (refused is not null) return TypedResults.Ok(refused);
        var confirm = new ConfirmTicketRequest(request!.ScanToken, request.PhoneCode);
        if (MiniProgramApi.CheckConfirm(confirm) is { } invalid) return TypedResults.Ok(Invalid(invalid.Field, invalid.Rule));
        var moved = await cluster.GetGrain<ITicketGrain>(request.Random!).ConfirmAsync(new ConfirmRequest(confirm.ScanToken!, confirm.PhoneCode));
        if (moved.Value is not { } ticket) return TypedResults.Ok(await MissingAsync(http, moved.Failure!, request.Random!));
        var description = ticket.Status == TicketStatus.Rejected ? RefusalOf(ticket.Reason ?? FailureCodes.AccountNotFound).Message : "Login authorized.";
        return TypedResults.Ok(Ok(new AuthingPhoneResult(request.Random!, StatusOf(ticket.Status), description) { BindingCode = ticket.BindingCode },
            "QR code confirmed."));
    }

    private static async Task<Results<Ok<AuthingEnvelope<AuthingPhoneResult>>, Ok<AuthingEnvelope<AuthingError>>>> CancelAsync(
        HttpContext http, IClusterClient cluster, IOptions<JsonOptions> json)
    {
        var (request, refused) = await ReadPhoneAsync(http, json.Value.SerializerOptions);
        if (refused is not null) return TypedResults.Ok(refused);
        if (MiniProgramApi.CheckScanToken(request!.ScanToken) is { } invalid) return TypedResults.Ok(Invalid(invalid.Field, invalid.Rule));
        var moved = await cluster.GetGrain<ITicketGrain>(request.Random!).CancelAsync(request.ScanToken!);
        if (moved.Value is not { } ticket) return TypedResults.Ok(await MissingAsync(http, moved.Failure!, request.Random!));
        return TypedResults.Ok(Ok(new AuthingPhoneResult(request.Random!, StatusOf(ticket.Status), "Login cancelled."), "QR code cancelled."));
    }

    /// <summary>
    /// The application named by x-authing-app-id (or by the backend's credentials). Its allowed origins decide the answer's
    /// CORS headers, as for the native ticket API (preflights are answered by the CORS middleware, never by a handler).
    /// </summary>
    private static async Task<(ApplicationSettings? App, AuthingEnvelope<AuthingError>? Refused)> ApplicationAsync(
        HttpContext http, IClusterClient cluster, string? credentialsAppId = null)
    {
        var appId = http.Request.Headers[AppIdHeader].ToString() is { Length: > 0 } header ? header : credentialsAppId;
        if (appId is not { Length: > 0 and <= 64 } || !Identifiers.IsAppId(appId))
            return (null, Refused(StatusCodes.Status400BadRequest, AppIdRequired,
                "Send the application id as x-authing-app-id (the SDK's appId option); x-authing-userpool-id is not used."));
        // An invented id is answered from memory once the cluster said it does not exist (UnknownIds owns that rule).
        var app = await http.RequestServices.GetRequiredService<UnknownIds>().ApplicationAsync(http, cluster, appId);
        if (app is null) return (null, Refused(new Failure(FailureCodes.ApplicationNotFound, $"Application {appId} does not exist.")));
        http.RequestServices.GetRequiredService<BrowserOrigins>().AllowFor(http, app.AllowedOrigins);
        return (app, null);
    }

    /// <summary>A ticket call's refusal; a ticket that does not exist is remembered as such (and counted against the address).</summary>
    private static async ValueTask<AuthingEnvelope<AuthingError>> MissingAsync(HttpContext http, Failure failure, string ticketId)
    {
        await http.RequestServices.GetRequiredService<UnknownIds>().RememberIfMissingAsync(http, failure, UnknownIds.Ticket, ticketId);
        return Refused(failure);
    }

    /// <summary>A phone request's body; <c>random</c> must be a ticket id, the scan token may come as a bearer token.</summary>
    private static async Task<(AuthingPhoneRequest? Request, AuthingEnvelope<AuthingError>? Refused)> ReadPhoneAsync(HttpContext http, JsonSerializerOptions json)
    {
        var (request, unreadable) = await ReadAsync<AuthingPhoneRequest>(http.Request, json);
        if (unreadable is not null) return (null, unreadable);
        if (!Secrets.IsWellFormedId(request!.Random)) return (null, Refused(NotFound));
        if (http.RequestServices.GetRequiredService<UnknownIds>().IsKnownUnknown(UnknownIds.Ticket, request.Random!)) return (null, Refused(NotFound));
        var authorization = http.Request.Headers.Authorization.ToString();
        if (request.ScanToken is null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            request = request with { ScanToken = authorization["Bearer ".Length..].Trim() };
        return (request, null);
    }

    private static async Task<(T? Body, AuthingEnvelope<AuthingError>? Refused)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions json) where T : class
    {
        if (!request.HasJsonContentType())
            return (null, Refused(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send a JSON body (Content-Type: application/json)."));
        try
        {
            return await request.ReadFromJsonAsync<T>(json) is { } body
                ? (body, null)
                : (null, Refused(StatusCodes.Status400BadRequest, ApiProblems.Malformed, "The body must be a JSON object."));
        }
        catch (JsonException e)
        {
            return (null, Refused(StatusCodes.Status400BadRequest, ApiProblems.Malformed, $"The body is not valid JSON of the expected shape ({e.Path})."));
        }
    }

    /// <summary>Only the /api/v2 copies get operation names: names are unique in the OpenAPI document.</summary>
    private static RouteHandlerBuilder Named(this RouteHandlerBuilder endpoint, bool named, string name) => named ? endpoint.WithName(name) : endpoint;
}
