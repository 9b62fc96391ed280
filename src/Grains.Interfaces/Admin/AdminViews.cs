using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScanLogin.Grains.Interfaces;

/// <summary>What operators read: the same JSON in single reads, listings and the audit log. Never a secret.</summary>
/// <summary><c>browserExchange</c>: whether the creating browser may exchange tickets itself (else only the application's backend).</summary>
public sealed record PoolView(string Id, string Name, bool BrowserExchange, int TokenLifetimeSeconds, int Revision, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, bool SessionEnabled = false, int SessionLifetimeSeconds = UserPoolSettings.DefaultSessionLifetimeSeconds)
{
    public static PoolView From(Versioned<UserPoolSettings> v) => new(v.Value.PoolId, v.Value.Name, !v.Value.BrowserExchangeDisabled,
        (int)v.Value.TokenLifetime.TotalSeconds, v.Revision, v.CreatedAt, v.UpdatedAt, v.Value.SessionEnabled, (int)v.Value.SessionLifetime.TotalSeconds) { Branding = v.Value.Branding };

    /// <summary>The hosted login's look for the pool's applications that set none of their own; null when unset.</summary>
    public Branding? Branding { get; init; }
}

/// <summary>
/// <c>authingBrowserExchange</c>: whether the Authing JS SDK's browser may exchange QR tickets itself (default false).
/// <c>hostedLoginSameAddress</c>: the hosted login completes only from the address that opened its code (default false).
/// </summary>
public sealed record ApplicationView(string AppId, string PoolId, string Name, string? LogoUrl, string[] AllowedOrigins,
    string[] CallbackUrls, bool AuthingBrowserExchange, bool AppSecretSet, DateTimeOffset? AppSecretChangedAt, int Revision, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public bool HostedLoginSameAddress { get; init; }

    /// <summary>The hosted login's look for this application (falling back to the pool's); null when unset.</summary>
    public Branding? Branding { get; init; }

    public static ApplicationView From(Versioned<ApplicationSettings> v) => new(v.Value.AppId, v.Value.PoolId, v.Value.Name, v.Value.LogoUrl,
        v.Value.AllowedOrigins, v.Value.CallbackUrls, v.Value.AuthingBrowserExchange, v.SecretChangedAt is not null, v.SecretChangedAt, v.Revision,
        v.CreatedAt, v.UpdatedAt) { HostedLoginSameAddress = v.Value.HostedLoginSameAddress, Branding = v.Value.Branding };
}

public sealed record LogoView(bool Set, string? Hash);

public sealed record IdentitySourceView(string PoolId, string Identifier, string Type, string DisplayName, string? CallbackUrl, bool Enabled,
    bool PrivateDeployment, string? MiniProgramAppId, bool MiniProgramAppSecretSet, DateTimeOffset? MiniProgramAppSecretChangedAt,
    LoginMode LoginMode, AccountAssociation AccountAssociation, int TicketLifetimeSeconds, string[] ApplicationIds, LogoView Logo,
    int Revision, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public const string WeChatMiniProgramScan = "wechat_miniprogram_qrcode";

    /// <summary>Only in a single read, never listed or audited: how the source's WeChat calls go (last error, failures in a row, next try).</summary>
    [JsonPropertyName("wechat"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WeChatHealth? WeChat { get; init; }

    public static IdentitySourceView From(Versioned<IdentitySourceSettings> v) => new(v.Value.PoolId, v.Value.Identifier, WeChatMiniProgramScan,
        v.Value.DisplayName, v.Value.CallbackUrl, v.Value.Enabled, v.Value.PrivateDeployment, v.Value.MiniProgramAppId,
        v.SecretChangedAt is not null, v.SecretChangedAt, v.Value.LoginMode, v.Value.Association, (int)v.Value.TicketLifetime.TotalSeconds,
        v.Value.ApplicationIds, new LogoView(v.Value.LogoHash is not null, v.Value.LogoHash), v.Revision, v.CreatedAt, v.UpdatedAt);
}

/// <summary>The JSON conventions of the admin API: camelCase members, snake_case enum values.</summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        // {"name":"a","name":"b"} (or "NAME", names being case-insensitive) is ambiguous: refuse it, never pick one.
        options.AllowDuplicateProperties = false;
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
