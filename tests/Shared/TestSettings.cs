using ScanLogin.Grains.Interfaces;

namespace ScanLogin.Tests.Shared;

/// <summary>
/// The configuration a test gives the hosts it starts (silos, front ends, the in-process grain cluster): what every
/// test cluster needs, then only what is special about the test, by the fluent <c>With...</c> calls.
/// </summary>
public sealed class TestSettings : Dictionary<string, string?>
{
    /// <summary>The public base URL of the tests' front ends (relying parties would reach it through a proxy).</summary>
    public const string PublicBaseUrl = "https://login.scanlogin.test";

    /// <summary>The data key the silos of one test run share (any 32 bytes; one per kind of cluster, as before).</summary>
    public static string EncryptionKey(byte fill) => Convert.ToBase64String(Enumerable.Repeat(fill, 32).ToArray());

    /// <summary>
    /// A production-shaped cluster: PostgreSQL and Redis from <see cref="TestServices"/>, a fresh cluster id, the WeChat
    /// emulator as WeChat and its default mini program, mutual TLS between silos and front ends, the public base URL.
    /// </summary>
    public static TestSettings ForCluster(EmulatorHost emulator, string clusterPrefix = "test", string serviceId = "scanlogin-tests",
        string? postgres = null) => new TestSettings
        {
            ["ConnectionStrings:PostgreSQL"] = postgres ?? TestServices.Postgres,
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["Orleans:ClusterId"] = clusterPrefix + "-" + Guid.NewGuid().ToString("N")[..12],
            ["Orleans:ServiceId"] = serviceId,
            ["ScanLogin:Keys:SecretEncryptionKey"] = EncryptionKey(2),
            ["ScanLogin:Oidc:PublicBaseUrl"] = PublicBaseUrl,
        }.WithEmulator(emulator).With(ClusterCertificates.Cluster.Settings);

    /// <summary>The in-process grain cluster (memory storage): the data key and the emulator as WeChat.</summary>
    public static TestSettings ForGrainCluster(Uri emulator) => new TestSettings
    {
        ["ScanLogin:Keys:SecretEncryptionKey"] = EncryptionKey(7),
    }.WithEmulator(emulator);

    /// <summary>The emulator answers WeChat's API, and its default mini program is the platform's.</summary>
    public TestSettings WithEmulator(EmulatorHost emulator) => WithEmulator(emulator.BaseAddress);

    public TestSettings WithEmulator(Uri emulator)
    {
        this["ScanLogin:WeChat:DefaultMiniProgramAppId"] = EmulatorHost.AppId;
        this["ScanLogin:WeChat:DefaultMiniProgramAppSecret"] = EmulatorHost.AppSecret;
        this["WeChat:BaseAddress"] = emulator.ToString();
        return this;
    }

    /// <summary>The platform operator's key: the front ends know only its hash.</summary>
    public TestSettings WithPlatformKey(string platformKey) =>
        With("ScanLogin:Admin:PlatformKeyHashes:0", ScanLogin.WebFront.Admin.AdminAuth.HashPlatformKey(platformKey));

    /// <summary>No rate limits: for tests that play crowds from one address on purpose (the limits have their own tests).</summary>
    public TestSettings WithLiftedRateLimits() => With(RateLimitOptions.LiftedSettings);

    /// <summary>Ports for a silo: free ones unless the test chose them.</summary>
    public TestSettings WithFreeSiloPorts()
    {
        TryAdd("Orleans:SiloPort", TestPorts.FreePort().ToString());
        TryAdd("Orleans:GatewayPort", TestPorts.FreePort().ToString());
        return this;
    }

    public TestSettings WithLogLevel(string category, string level) => With($"Logging:LogLevel:{category}", level);

    public TestSettings With(string key, string? value)
    {
        this[key] = value;
        return this;
    }

    /// <summary>Adds or replaces every entry of <paramref name="settings"/> (later calls win).</summary>
    public TestSettings With(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        foreach (var (key, value) in settings) this[key] = value;
        return this;
    }

    /// <summary>A copy, so one host's extra settings do not leak into the next host's.</summary>
    public TestSettings Copy() => new TestSettings().With(this);
}
