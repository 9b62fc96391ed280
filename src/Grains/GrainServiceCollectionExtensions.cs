using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Serialization;
using ScanLogin.Grains.Accounts;
using ScanLogin.Grains.Admin;
using ScanLogin.Grains.Configuration;
using ScanLogin.Grains.QrCodes;
using ScanLogin.Grains.Storage;
using ScanLogin.Grains.Tickets;
using ScanLogin.Grains.Tokens;
using ScanLogin.Grains.WeChat;

namespace ScanLogin.Grains;

public static class GrainServiceCollectionExtensions
{
    /// <summary>Everything the grains need: options, keys, the WeChat client, and the user store (PostgreSQL when configured).</summary>
    public static IServiceCollection AddScanLoginGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<KeyOptions>(configuration.GetSection(KeyOptions.Section));
        services.AddOptions<OidcOptions>().Bind(configuration.GetSection(OidcOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcOptions>, OidcOptionsValidation>();
        services.Configure<TicketOptions>(configuration.GetSection(TicketOptions.Section));
        services.Configure<ScanLogin.Grains.Oidc.HostedLoginOptions>(configuration.GetSection(ScanLogin.Grains.Oidc.HostedLoginOptions.Section));
        services.Configure<WeChatPlatformOptions>(configuration.GetSection(WeChatPlatformOptions.Section));
        services.Configure<QrOptions>(configuration.GetSection(QrOptions.Section));
        services.Configure<ScanLogin.Grains.WeChat.MiniProgramOptions>(configuration.GetSection(ScanLogin.Grains.WeChat.MiniProgramOptions.Section));
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        services.Configure<AccountOptions>(configuration.GetSection(AccountOptions.Section));
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton<LogoLibrary>();
        services.AddSingleton<AdminRecorder>();
        services.AddSingleton<PoolSigners>();
        services.AddSingleton<SecretProtector>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ProductClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new RateLimitClock(sp.GetRequiredService<TimeProvider>()));
        services.AddWeChatApi(configuration);
        Domains.DomainChallenge.AddDomainChallenge(services, configuration);
        services.AddSingleton<TicketDeadlines>();
        services.AddSingleton<Access.SettingsCache>();
        services.AddSingleton<TicketDesk>();
        services.AddGrainService<Access.SettingsCacheService>();
        services.AddSingleton<Access.SettingsCacheClient>();
        // Tickets are short-lived and written on every move: Redis when the cluster has one, else this process's memory.
        if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
            services.AddSingleton<ITicketStore>(sp => new RedisTicketStore(redis,
                sp.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId, sp.GetRequiredService<Serializer<TicketState>>()));
        else
            services.AddSingleton<ITicketStore, MemoryTicketStore>();
        // Hosted logins live where tickets live, each key expiring at the login's deadline.
        if (configuration.GetConnectionString("Redis") is { Length: > 0 } authorizationRedis)
            services.AddSingleton<Storage.IExpiringRecordStore<Oidc.AuthorizationState>>(sp => new Storage.RedisExpiringRecordStore<Oidc.AuthorizationState>(
                authorizationRedis, sp.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId, "authorizations",
                sp.GetRequiredService<Serializer<Oidc.AuthorizationState>>()));
        else
            services.AddSingleton<Storage.IExpiringRecordStore<Oidc.AuthorizationState>, Storage.MemoryExpiringRecordStore<Oidc.AuthorizationState>>();
        // Pool sessions and refresh-token families: Redis too, each record expiring by itself (the README says why not PostgreSQL).
        services.Configure<Sessions.SessionOptions>(configuration.GetSection(Sessions.SessionOptions.Section));
        AddSessionStore<Sessions.LoginSession>(services, configuration, "sessions");
        AddSessionStore<Sessions.RefreshFamily>(services, configuration, "refresh-families");
        Observability.MeteredWeChatApi.Decorate(services);

        if (configuration.GetConnectionString(DatabaseMigrator.ConnectionStringName) is { Length: > 0 } connectionString)
        {
            services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
            services.AddSingleton<IUserStore, PostgresUserStore>();
            services.AddSingleton<DatabaseMigrator>();
            services.AddSingleton<ICatalogStore, PostgresCatalogStore>();
            services.AddSingleton<ISecretKeyStore, PostgresSecretKeyStore>();
        }
        else
        {
            services.AddSingleton<IUserStore, InMemoryUserStore>();
            services.AddSingleton<ICatalogStore, InMemoryCatalogStore>();
            services.AddSingleton<ISecretKeyStore, InMemorySecretKeyStore>();
        }
        return services;
    }

    private static void AddSessionStore<T>(IServiceCollection services, IConfiguration configuration, string kind) where T : class, Storage.IVersionedRecord
    {
        if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
            services.AddSingleton<Sessions.ISessionStore<T>>(sp => new Sessions.RedisSessionStore<T>(redis,
                sp.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId, kind, sp.GetRequiredService<Serializer<T>>()));
        else
            services.AddSingleton<Sessions.ISessionStore<T>, Sessions.MemorySessionStore<T>>();
    }
}
