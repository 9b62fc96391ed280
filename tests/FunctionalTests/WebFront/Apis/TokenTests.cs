using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using ScanLogin.FunctionalTests.Admin;
using ScanLogin.Grains;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>
/// Tokens a site verifies with a stock library: per-pool keys published as JWKS, discovery, rotation, and the
/// private keys kept out of storage in clear, out of every answer and out of every log line.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed partial class TokenTests(SystemFixture system)
{
    /// <summary>A first login of a new WeChat user (with a phone number unique in the pool, unless told otherwise).</summary>
    private async Task<ExchangeResponse> LoginAsync(Tenant tenant, string? phone = "", string? nonce = null)
    {
        if (phone == "") phone = "136" + Random.Shared.Next(10_000_000, 99_999_999);
        var open = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = tenant.AppId, identitySource = Tenant.Source, nonce }) };
        open.Headers.Authorization = Api.AppCredentials(tenant.AppId, tenant.AppSecret); // the application's backend
        var opened = await system.A.SendAsync(open);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var created = (await opened.Content.ReadFromJsonAsync<TicketCreated>())!;
        var openId = await system.Emulator.CreateUserAsync(phone: phone);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await system.Emulator.LoginCodeAsync(openId));
        var phoneCode = phone is null ? null : await system.Emulator.PhoneCodeAsync(openId);
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken, phoneCode)).StatusCode);
        var code = (await Api.StatusAsync(system.A, created.TicketId)).ExchangeCode!;
        var exchange = await Api.ExchangeAsync(system.A, code, created.BrowserSecret);
        Assert.True(exchange.StatusCode == HttpStatusCode.OK, await exchange.Content.ReadAsStringAsync());
        return (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!;
    }

    [Fact]
    public async Task A_login_token_verifies_against_the_published_jwks_alone()
    {
        var tenant = await system.CreateTenantAsync();
        var before = system.Time.GetUtcNow();
        var grant = await LoginAsync(tenant, phone: "13600000009");
        var site = new RelyingParty(system.B, tenant.PoolId);

        var discovery = await site.DiscoveryAsync();
        Assert.Equal(site.Issuer, discovery["issuer"]!.GetValue<string>());
        Assert.Equal(site.Issuer + "/jwks", discovery["jwks_uri"]!.GetValue<string>());
        Assert.Equal(["ES256"], discovery["id_token_signing_alg_values_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("public", discovery["subject_types_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("phone", discovery["scopes_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("phone_number_verified", discovery["claims_supported"]!.AsArray().Select(v => v!.GetValue<string>()));

        var keys = await site.JwksAsync();
        var id = await site.ValidateIdTokenAsync(grant.IdToken, keys, tenant.AppId);
        Assert.True(id.IsValid, id.Exception?.ToString());
        var idToken = (JsonWebToken)id.SecurityToken;
        Assert.Equal("ES256", idToken.Alg);
        Assert.Equal(keys.Keys.Single().Kid, idToken.Kid);
        Assert.Equal(grant.User.Id, idToken.Subject);
        Assert.Equal([tenant.AppId], idToken.Audiences);
        Assert.Equal(Tenant.Source, idToken.GetPayloadValue<string>("identity_source"));
        Assert.Equal(["wechat_scan"], idToken.GetPayloadValue<string[]>("amr"));
        Assert.Equal("+8613600000009", idToken.GetPayloadValue<string>("phone_number"));
        Assert.True(idToken.GetPayloadValue<bool>("phone_number_verified"));
        Assert.Equal("Mei", idToken.GetPayloadValue<string>("name"));
        Assert.NotEmpty(idToken.Id);
        Assert.False(idToken.TryGetPayloadValue<string>("nonce", out _));
        // auth_time is the approval on the phone, by the pool's clock; the token lives the pool's default hour.
        var authTime = DateTimeOffset.FromUnixTimeSeconds(idToken.GetPayloadValue<long>("auth_time"));
        Assert.InRange(authTime, before.AddSeconds(-1), system.Time.GetUtcNow());
        Assert.Equal(TimeSpan.FromHours(1), idToken.ValidTo - idToken.IssuedAt);
        Assert.Equal(grant.ExpiresAt.ToUnixTimeSeconds(), new DateTimeOffset(idToken.ValidTo).ToUnixTimeSeconds());

        var access = await site.ValidateAccessTokenAsync(grant.AccessToken, keys, tenant.AppId);
        Assert.True(access.IsValid, access.Exception?.ToString());
        var accessToken = (JsonWebToken)access.SecurityToken;
        Assert.Equal("at+jwt", accessToken.Typ);
        Assert.Equal(grant.User.Id, accessToken.Subject);
        Assert.Equal(tenant.AppId, accessToken.GetPayloadValue<string>("client_id"));
        Assert.Equal("openid profile phone", accessToken.GetPayloadValue<string>("scope"));
        Assert.NotEqual(idToken.Id, accessToken.Id);
        // Neither token passes for the other, and a token for one application is not one for another.
        Assert.False((await site.ValidateAccessTokenAsync(grant.IdToken, keys, tenant.AppId)).IsValid);
        Assert.False((await site.ValidateIdTokenAsync(grant.AccessToken, keys, tenant.AppId)).IsValid);
        Assert.False((await site.ValidateIdTokenAsync(grant.IdToken, keys, "another-app")).IsValid);
        // One changed claim breaks the signature.
        var parts = grant.IdToken.Split('.');
        var forged = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(grant.User.Id, "someone-else");
        Assert.Contains("someone-else", forged);
        var forgedToken = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(forged))}.{parts[2]}";
        Assert.False((await site.ValidateIdTokenAsync(forgedToken, keys, tenant.AppId)).IsValid);

        // The pool's own issuer checks access tokens too (what a userinfo endpoint will use).
        var info = await system.Grains.GetGrain<ITokenIssuerGrain>(tenant.PoolId).ValidateAccessTokenAsync(grant.AccessToken);
        Assert.Equal((grant.User.Id, tenant.AppId), (info.Value!.Subject, info.Value.AppId));
        Assert.Equal(TokenFailureCodes.AccessTokenInvalid,
            (await system.Grains.GetGrain<ITokenIssuerGrain>(tenant.PoolId).ValidateAccessTokenAsync(grant.IdToken)).Failure!.Code);
    }

    [Fact]
    public async Task A_stock_openid_connect_client_reads_the_discovery_document_and_keys()
    {
        var tenant = await system.CreateTenantAsync();
        var grant = await LoginAsync(tenant, phone: null);
        // The public URL is a proxy's; this retriever is that proxy, sending the request to front end A.
        var retriever = new ProxyRetriever(system.A);
        var configuration = await Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfigurationRetriever.GetAsync(
            $"{SystemFixture.PublicBaseUrl}/oidc/{tenant.PoolId}/.well-known/openid-configuration", retriever, CancellationToken.None);
        Assert.Equal(new RelyingParty(system.A, tenant.PoolId).Issuer, configuration.Issuer);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(grant.IdToken, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = tenant.AppId,
            IssuerSigningKeys = configuration.SigningKeys,
        });
        Assert.True(result.IsValid, result.Exception?.ToString());
        var token = (JsonWebToken)result.SecurityToken;
        Assert.False(token.TryGetPayloadValue<string>("phone_number", out _));
    }

    [Fact]
    public async Task The_sites_nonce_comes_back_in_the_id_token_only()
    {
        var tenant = await system.CreateTenantAsync();
        var grant = await LoginAsync(tenant, nonce: "n-0S6_WzA2Mj");
        var handler = new JsonWebTokenHandler();
        Assert.Equal("n-0S6_WzA2Mj", handler.ReadJsonWebToken(grant.IdToken).GetPayloadValue<string>("nonce"));
        Assert.False(handler.ReadJsonWebToken(grant.AccessToken).TryGetPayloadValue<string>("nonce", out _));

        foreach (var bad in new[] { "", "has space", "new\nline", new string('n', 257) })
        {
            var refused = await system.A.PostAsJsonAsync("/api/tickets", new { appId = tenant.AppId, identitySource = Tenant.Source, nonce = bad });
            await Api.ProblemAsync(refused, HttpStatusCode.BadRequest, "validation_failed");
        }
    }

    [Fact]
    public async Task A_token_of_one_pool_fails_against_another_pools_keys()
    {
        var poolA = await system.CreateTenantAsync();
        var poolB = await system.CreateTenantAsync();
        var grant = await LoginAsync(poolA);
        await LoginAsync(poolB);

        var siteOfB = new RelyingParty(system.A, poolB.PoolId);
        var keysOfB = await siteOfB.JwksAsync();
        var keysOfA = await new RelyingParty(system.A, poolA.PoolId).JwksAsync();
        Assert.Empty(keysOfA.Keys.Select(k => k.Kid).Intersect(keysOfB.Keys.Select(k => k.Kid)));

        Assert.False((await siteOfB.ValidateIdTokenAsync(grant.IdToken, keysOfB, poolA.AppId)).IsValid);
        // Even a site that accepted pool A's issuer would find no key of pool B that signed it.
        var withIssuerOfA = await new JsonWebTokenHandler().ValidateTokenAsync(grant.IdToken, new TokenValidationParameters
        {
            ValidIssuer = new RelyingParty(system.A, poolA.PoolId).Issuer,
            ValidAudience = poolA.AppId,
            IssuerSigningKeys = keysOfB.GetSigningKeys(),
        });
        Assert.False(withIssuerOfA.IsValid);
        Assert.IsAssignableFrom<SecurityTokenSignatureKeyNotFoundException>(withIssuerOfA.Exception);
        Assert.False((await system.Grains.GetGrain<ITokenIssuerGrain>(poolB.PoolId).ValidateAccessTokenAsync(grant.AccessToken)).Succeeded);
    }

    [Fact]
    public async Task Unknown_pools_answer_a_404_problem_and_documents_are_cacheable()
    {
        foreach (var path in new[] { "/oidc/no-such-pool/jwks", "/oidc/no-such-pool/.well-known/openid-configuration", "/oidc/bad%20id/jwks",
                     "/oidc/" + new string('a', 65) + "/jwks" })
            await Api.ProblemAsync(await system.A.GetAsync(path), HttpStatusCode.NotFound, "user_pool_not_found");

        var tenant = await system.CreateTenantAsync();
        var jwks = await system.A.GetAsync($"/oidc/{tenant.PoolId}/jwks");
        Assert.Equal("application/json", jwks.Content.Headers.ContentType?.MediaType);
        Assert.True(jwks.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromMinutes(5), jwks.Headers.CacheControl.MaxAge);
        var revalidate = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{tenant.PoolId}/jwks");
        revalidate.Headers.IfNoneMatch.Add(jwks.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await system.B.SendAsync(revalidate)).StatusCode);

        // Any site's browser may read them.
        var cors = new HttpRequestMessage(HttpMethod.Get, $"/oidc/{tenant.PoolId}/.well-known/openid-configuration");
        cors.Headers.Add("Origin", "https://site.example");
        var answer = await system.A.SendAsync(cors);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.True(answer.Headers.CacheControl!.Public);
    }

    [Fact]
    public async Task After_rotation_old_tokens_still_verify_and_new_ones_use_the_new_key()
    {
        var tenant = await system.CreateTenantAsync();
        var site = new RelyingParty(system.A, tenant.PoolId);
        using var platform = new AdminClient(system.Operator(system.PlatformKey));
        var old = await LoginAsync(tenant);
        var oldKid = new JsonWebTokenHandler().ReadJsonWebToken(old.IdToken).Kid;

        var rotated = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/signing-keys/rotate", new { algorithm = "RS256" })).AsArray();
        Assert.Equal(["next", "current"], rotated.Select(k => k!["status"]!.GetValue<string>()));
        var newKid = rotated[0]!["keyId"]!.GetValue<string>();
        Assert.Equal(oldKid, rotated[1]!["keyId"]!.GetValue<string>());
        Assert.Equal(rotated[0]!["signsFrom"]!.GetValue<DateTimeOffset>(), rotated[1]!["signsUntil"]!.GetValue<DateTimeOffset>());
        // The new key is published at once, before it signs anything.
        Assert.Equal([newKid, oldKid], (await site.JwksAsync()).Keys.Select(k => k.Kid));
        Assert.Equal(["ES256", "RS256"], (await site.DiscoveryAsync())["id_token_signing_alg_values_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        await platform.ProblemAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/signing-keys/rotate", new { }, HttpStatusCode.Conflict,
            "signing_key_rotation_pending");

        var during = await LoginAsync(tenant);
        Assert.Equal(oldKid, new JsonWebTokenHandler().ReadJsonWebToken(during.IdToken).Kid);

        system.Time.Advance(SystemFixture.KeyPropagationDelay);
        var fresh = await LoginAsync(tenant);
        var keys = await site.JwksAsync();
        var newToken = await site.ValidateIdTokenAsync(fresh.IdToken, keys, tenant.AppId);
        Assert.True(newToken.IsValid, newToken.Exception?.ToString());
        Assert.Equal((newKid, "RS256"), (((JsonWebToken)newToken.SecurityToken).Kid, ((JsonWebToken)newToken.SecurityToken).Alg));
        foreach (var earlier in new[] { old, during })
        {
            var stillValid = await site.ValidateAccessTokenAsync(earlier.AccessToken, keys, tenant.AppId);
            Assert.True(stillValid.IsValid, stillValid.Exception?.ToString());
        }
        var listed = (await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{tenant.PoolId}/signing-keys")).AsArray();
        Assert.Equal(["current", "retired"], listed.Select(k => k!["status"]!.GetValue<string>()));

        var audit = (await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{tenant.PoolId}/audit"))["items"]!.AsArray();
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "rotate" && e["resourceType"]!.GetValue<string>() == "signing_key"
                                    && e["resourceId"]!.GetValue<string>() == oldKid && e["actor"]!.GetValue<string>() == "platform:platform");
        // Another pool's key sees nothing of this pool's keys.
        var otherKey = (await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{(await system.CreateTenantAsync()).PoolId}/api-keys",
            new { name = "other" }, HttpStatusCode.Created))["key"]!.GetValue<string>();
        using var other = new AdminClient(system.Operator(otherKey));
        await other.ProblemAsync(HttpMethod.Get, $"/admin/v1/pools/{tenant.PoolId}/signing-keys", null, HttpStatusCode.NotFound, "not_found");
        await other.ProblemAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/signing-keys/rotate", new { }, HttpStatusCode.NotFound, "not_found");
        await platform.ProblemAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/signing-keys/rotate", new { algorithm = "HS256" },
            HttpStatusCode.BadRequest, "validation_failed");
        // Once the new key signs, another rotation may start; a POST without a body takes the configured algorithm.
        var again = await system.A.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/signing-keys/rotate")
        {
            Headers = { Authorization = new("Bearer", system.PlatformKey) },
        });
        Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());
        var third = JsonNode.Parse(await again.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(("next", "ES256"), (third[0]!["status"]!.GetValue<string>(), third[0]!["algorithm"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Private_keys_are_stored_only_encrypted_and_appear_in_no_answer_and_no_log_line()
    {
        var tenant = await system.CreateTenantAsync();
        var grant = await LoginAsync(tenant);
        using var platform = new AdminClient(system.Operator(system.PlatformKey));
        await platform.OkAsync(HttpMethod.Post, $"/admin/v1/pools/{tenant.PoolId}/signing-keys/rotate", new { algorithm = "RS256" });

        await using var command = system.Database.CreateCommand("SELECT payload FROM scanlogin_grain_state WHERE grain_type = 'signing-keys' AND grain_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.PoolId });
        var stored = (byte[])(await command.ExecuteScalarAsync())!;
        var storedText = Encoding.Latin1.GetString(stored);

        // Decrypt what storage holds with the silo's key ring: each private key, which must match a published public key.
        var protector = system.SiloService<SecretProtector>();
        var ciphertexts = ProtectedSecret().Matches(storedText).Select(m => m.Value).ToArray();
        Assert.Equal(2, ciphertexts.Length);
        var published = (await new RelyingParty(system.A, tenant.PoolId).JwksAsync()).Keys;
        var secrets = new List<string>();
        foreach (var ciphertext in ciphertexts)
        {
            // Each ciphertext is bound to its pool and key id: one of the published keys' contexts opens it.
            string? opened = null;
            foreach (var kid in published.Select(k => k.Kid))
            {
                try { opened = await protector.UnprotectAsync(ciphertext, SecretContext.SigningKeyOf(tenant.PoolId, kid)); break; }
                catch (CryptographicException) { }
            }
            var pkcs8 = Convert.FromBase64String(opened ?? throw new InvalidOperationException($"no published key's context opens {ciphertext[..12]}..."));
            Assert.DoesNotContain(Convert.ToBase64String(pkcs8), storedText);
            Assert.Equal(-1, stored.AsSpan().IndexOf(pkcs8));
            secrets.Add(Convert.ToBase64String(pkcs8));
            JsonWebKey jwk;
            using (var ec = TryEcdsa(pkcs8))
            using (var rsa = ec is null ? RSA.Create() : null)
            {
                if (ec is not null)
                {
                    jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ec));
                    secrets.Add(jwk.D);
                }
                else
                {
                    rsa!.ImportPkcs8PrivateKey(pkcs8, out _);
                    jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(true)));
                    secrets.AddRange([jwk.D, jwk.P, jwk.Q, jwk.DP, jwk.DQ, jwk.QI]);
                }
            }
            Assert.Contains(published, k => (k.X ?? k.N) == (jwk.X ?? jwk.N));
            Assert.Equal(-1, stored.AsSpan().IndexOf(Base64UrlEncoder.DecodeBytes(jwk.D)));
        }
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, storedText));

        // Every answer that speaks of keys, and every log line of every host.
        var answers = new List<string>
        {
            await system.A.GetStringAsync($"/oidc/{tenant.PoolId}/jwks"),
            await system.A.GetStringAsync($"/oidc/{tenant.PoolId}/.well-known/openid-configuration"),
            (await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{tenant.PoolId}/signing-keys")).ToJsonString(),
            (await platform.OkAsync(HttpMethod.Get, $"/admin/v1/pools/{tenant.PoolId}/audit")).ToJsonString(),
            grant.IdToken, grant.AccessToken,
        };
        foreach (var member in new[] { "\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"" }) Assert.DoesNotContain(member, answers[0]);
        foreach (var secret in secrets)
        {
            Assert.All(answers, answer => Assert.DoesNotContain(secret, answer));
            Assert.DoesNotContain(system.Logs.Lines, line => line.Contains(secret));
        }
        Assert.DoesNotContain(system.Logs.Lines, line => ciphertexts.Any(line.Contains));
    }

    private static ECDsa? TryEcdsa(byte[] pkcs8)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            return ec;
        }
        catch (CryptographicException)
        {
            ec.Dispose();
            return null;
        }
    }

    [GeneratedRegex(@"v3\.[0-9]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+")]
    private static partial Regex ProtectedSecret();

    /// <summary>A reverse proxy in front of the front ends: the public URL's paths, answered by one front end.</summary>
    private sealed class ProxyRetriever(HttpClient frontEnd) : Microsoft.IdentityModel.Protocols.IDocumentRetriever
    {
        public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            Assert.StartsWith(SystemFixture.PublicBaseUrl + "/", address);
            var response = await frontEnd.GetAsync(address[SystemFixture.PublicBaseUrl.Length..], cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync(cancel);
        }
    }
}
