using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Tokens;

namespace ScanLogin.Benchmarks;

/// <summary>
/// What a login's tokens cost, single-threaded (= per core): the ID and access token pair signed with a pool's ES256
/// or RS256 key through Microsoft.IdentityModel, and an access token checked. The reference, measured in the same run,
/// is what the retired code did: one hand-built HS256 token with a shared secret.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class TokenSigningBenchmarks
{
    private sealed class InProcessShortRun : ManualConfig
    {
        public InProcessShortRun() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }

    private static readonly byte[] SharedKey = RandomNumberGenerator.GetBytes(32);
    private static readonly string Header = Secrets.Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8);
    private readonly TokenRequest _login = new("app-1", new UserProfile("user-1", "pool-1", "Mei", "https://img.example/mei.png",
        "+8613800138000", DateTimeOffset.UnixEpoch), TokenRequest.QrLoginScopes, null, DateTimeOffset.UtcNow, [TokenRequest.WeChatScanMethod], "wechat");
    private PoolSigner _es256 = null!;
    private PoolSigner _rs256 = null!;
    private string _accessToken = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [GlobalSetup]
    public void Setup()
    {
        _es256 = Signer(SigningAlgorithms.ES256);
        _rs256 = Signer(SigningAlgorithms.RS256);
        _accessToken = Es256Pair().AccessToken;
    }

    private static PoolSigner Signer(string algorithm)
    {
        var (pkcs8, jwk) = SigningKeyMaterial.Create(algorithm);
        var key = new PoolSigningKey(jwk.Kid, algorithm, SigningKeyMaterial.Load(algorithm, jwk.Kid, pkcs8), DateTimeOffset.UnixEpoch, null, null);
        return new PoolSigner("https://login.example/oidc/pool-1", TimeSpan.FromHours(1), [key], DateTimeOffset.UtcNow);
    }

    private TokenStamp Stamp(PoolSigner signer) =>
        new(Secrets.NewId(), signer.Keys[0].KeyId, _time.GetUtcNow(), _time.GetUtcNow().AddHours(1));

    [Benchmark(Baseline = true, Description = "retired: one HS256 token, hand-built")]
    public string Hs256Token()
    {
        var now = _time.GetUtcNow();
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "scanlogin", ["sub"] = "user-1", ["aud"] = "app-1", ["pool"] = "pool-1", ["jti"] = Secrets.NewId(),
            ["iat"] = now.ToUnixTimeSeconds(), ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        });
        var input = Header + "." + Secrets.Base64Url(payload);
        return input + "." + Secrets.Base64Url(HMACSHA256.HashData(SharedKey, Encoding.ASCII.GetBytes(input)));
    }

    [Benchmark(Description = "ES256: ID + access token")]
    public IssuedTokens Es256Pair() => PoolTokens.Create(_es256, _es256.Keys[0], _login, Stamp(_es256));

    [Benchmark(Description = "RS256: ID + access token")]
    public IssuedTokens Rs256Pair() => PoolTokens.Create(_rs256, _rs256.Keys[0], _login, Stamp(_rs256));

    [Benchmark(Description = "ES256: check an access token")]
    public Task<Outcome<AccessTokenInfo>> Es256Check() => PoolTokens.ValidateAccessTokenAsync(_es256, _accessToken, _time);
}
