using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace ScanLogin.OperatorConsole;

/// <summary>
/// The operators' console: server-rendered pages (Razor Pages) that do everything through the admin API over HTTP with the
/// signed-in operator's key. The key lives only in the session cookie, encrypted by ASP.NET Core Data Protection.
/// </summary>
public static class ConsoleApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            // The pages are compiled into this assembly; a host started from another (the tests) must still find them.
            ApplicationName = typeof(ConsoleApp).Assembly.GetName().Name,
        });
        if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
            builder.WebHost.UseUrls("http://127.0.0.1:5100");
        configure?.Invoke(builder);

        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => Uri.TryCreate(o.AdminApiBaseUrl, UriKind.Absolute, out _), "ScanLogin:Console:AdminApiBaseUrl must be an absolute URL.")
            .ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddHttpClient<AdminClient>((services, client) =>
        {
            var baseUrl = services.GetRequiredService<IOptions<ConsoleOptions>>().Value.AdminApiBaseUrl;
            client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            client.Timeout = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddScoped<ConsoleText>();
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("ScanLogin.Console");
        if (builder.Configuration[ConsoleOptions.Section + ":DataProtectionKeysPath"] is { Length: > 0 } keys)
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<ConsoleOptions>>((o, console) =>
            {
                o.Cookie.Name = OperatorSession.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = console.Value.IdleTimeout;
                o.SlidingExpiration = true;
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.AccessDeniedPath = "/signin";
            });
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "console_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/NotFound");
        });

        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
                                            "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (!http.Request.Path.StartsWithSegments("/console")) headers.CacheControl = "no-store";
            await next(http);
        });
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/lang", (string? to, string? back, HttpContext http) =>
        {
            http.Response.Cookies.Append(ConsoleText.CookieName, to == ConsoleText.Chinese ? ConsoleText.Chinese : ConsoleText.English,
                new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, MaxAge = TimeSpan.FromDays(365) });
            // Only a local path: never a way to send the browser elsewhere.
            return Results.LocalRedirect(back is { Length: > 0 } && back[0] == '/' && !back.StartsWith("//") && !back.StartsWith("/\\") ? back : "/");
        });
        app.MapConsoleEndpoints();
        app.MapRazorPages();
        return app;
    }
}
