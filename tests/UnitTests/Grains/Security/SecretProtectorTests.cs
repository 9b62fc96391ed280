using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScanLogin.Grains;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The versioned key ring: secrets encrypted at rest under wrapped data keys, rotation without losing old secrets.</summary>
public sealed class SecretProtectorTests
{
    private static readonly string Master = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static readonly SecretContext Source = SecretContext.AppSecretOf("pool-a/wechat");

    private static SecretProtector Protector(ISecretKeyStore store, string master, TimeProvider? time = null) =>
        new(Options.Create(new KeyOptions { SecretEncryptionKey = master }), store, time ?? TimeProvider.System);

    [Fact]
    public async Task A_secret_round_trips_and_is_not_readable_in_its_stored_form()
    {
        var protector = Protector(new InMemorySecretKeyStore(), Master);
        var stored = await protector.ProtectAsync("0123456789abcdef0123456789abcdef", Source);
        Assert.StartsWith("v3.1.", stored);
        Assert.DoesNotContain("0123456789abcdef", stored);
        Assert.Equal("0123456789abcdef0123456789abcdef", await protector.UnprotectAsync(stored, Source));
        Assert.NotEqual(stored, await protector.ProtectAsync("0123456789abcdef0123456789abcdef", Source)); // fresh nonce each time
    }

    [Fact]
    public async Task Rotation_makes_a_new_current_key_and_old_secrets_stay_readable()
    {
        var store = new InMemorySecretKeyStore();
        var protector = Protector(store, Master);
        var old = await protector.ProtectAsync("old secret", Source);
        Assert.Equal(2, await protector.RotateAsync());
        var fresh = await protector.ProtectAsync("new secret", Source);
        Assert.StartsWith("v3.2.", fresh);
        Assert.Equal("old secret", await protector.UnprotectAsync(old, Source));

        // Another silo with the same store and master key reads both, including the key it has not loaded yet.
        var other = Protector(store, Master);
        Assert.Equal("new secret", await other.UnprotectAsync(fresh, Source));
        Assert.Equal((2, 2), await other.StatusAsync());
    }

    [Fact]
    public async Task The_stored_keys_are_useless_without_the_master_key()
    {
        var store = new InMemorySecretKeyStore();
        var stored = await Protector(store, Master).ProtectAsync("secret", Source);
        var wrongMaster = Protector(store, Convert.ToBase64String(new byte[32]));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => wrongMaster.UnprotectAsync(stored, Source));
        var (_, wrapped) = Assert.Single(await store.LoadAsync());
        Assert.Equal(12 + 16 + 32, wrapped.Length); // nonce, tag and the encrypted 32-byte key
    }

    [Fact]
    public async Task A_tampered_secret_is_refused()
    {
        var protector = Protector(new InMemorySecretKeyStore(), Master);
        var parts = (await protector.ProtectAsync("secret", Source)).Split('.');
        parts[1] = "1";
        var cipher = Convert.FromBase64String(parts[3]);
        cipher[0] ^= 1;
        parts[3] = Convert.ToBase64String(cipher);
        await Assert.ThrowsAnyAsync<CryptographicException>(() => protector.UnprotectAsync(string.Join('.', parts), Source));
    }

    [Fact]
    public async Task A_ciphertext_swapped_into_another_record_or_field_does_not_decrypt()
    {
        var protector = Protector(new InMemorySecretKeyStore(), Master);
        var stored = await protector.ProtectAsync("pool a's AppSecret", Source);
        await Assert.ThrowsAnyAsync<CryptographicException>(() => protector.UnprotectAsync(stored, SecretContext.AppSecretOf("pool-b/wechat")));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => protector.UnprotectAsync(stored, SecretContext.SigningKeyOf("pool-a", "wechat")));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => protector.UnprotectAsync(stored, Source with { Field = "other" }));
        Assert.Equal("pool a's AppSecret", await protector.UnprotectAsync(stored, Source));
    }

    [Fact]
    public async Task A_ciphertext_of_the_unbound_format_still_decrypts_and_is_marked_for_rewriting()
    {
        var protector = Protector(new InMemorySecretKeyStore(), Master);
        var old = await protector.ProtectUnboundAsync("stored before binding");
        Assert.StartsWith("v2.", old);
        Assert.False(SecretProtector.IsBoundToItsRecord(old));
        Assert.Equal("stored before binding", await protector.UnprotectAsync(old, Source));
        var rewritten = await protector.ProtectAsync(await protector.UnprotectAsync(old, Source), Source);
        Assert.True(SecretProtector.IsBoundToItsRecord(rewritten));
        Assert.Equal("stored before binding", await protector.UnprotectAsync(rewritten, Source));
    }

    [Fact]
    public async Task A_ciphertext_of_the_first_format_under_the_master_key_still_decrypts()
    {
        // v1 encrypted straight under the master key, with "v1" as its associated data.
        var (nonce, plain) = (RandomNumberGenerator.GetBytes(12), "stored in v1"u8.ToArray());
        var (cipher, tag) = (new byte[plain.Length], new byte[16]);
        using (var aes = new AesGcm(Convert.FromBase64String(Master), tag.Length))
            aes.Encrypt(nonce, plain, cipher, tag, "v1"u8);
        var v1 = $"v1.{Convert.ToBase64String(nonce)}.{Convert.ToBase64String(cipher)}.{Convert.ToBase64String(tag)}";
        Assert.False(SecretProtector.IsBoundToItsRecord(v1));
        Assert.Equal("stored in v1", await Protector(new InMemorySecretKeyStore(), Master).UnprotectAsync(v1, Source));
    }

    [Fact]
    public async Task A_key_another_silo_added_is_used_for_new_secrets_once_the_loaded_ring_is_a_minute_old()
    {
        var store = new InMemorySecretKeyStore();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var silo = Protector(store, Master, time);
        Assert.StartsWith("v3.1.", await silo.ProtectAsync("first", Source)); // loads the ring (making key 1)
        Assert.Equal(2, await Protector(store, Master, time).RotateAsync());

        time.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(1));
        Assert.StartsWith("v3.1.", await silo.ProtectAsync("within the minute", Source)); // the loaded ring, no store read
        time.Advance(TimeSpan.FromTicks(1));
        Assert.StartsWith("v3.2.", await silo.ProtectAsync("a minute on", Source));
    }

    [Fact]
    public async Task A_master_key_that_cannot_unwrap_the_stored_ring_is_named_at_start()
    {
        var store = new InMemorySecretKeyStore();
        await Protector(store, Master).RotateAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Protector(store, Convert.ToBase64String(new byte[32])).EnsureKeyRingReadableAsync());
        Assert.Contains("ScanLogin:Keys:SecretEncryptionKey", error.Message);
        await Protector(store, Master).EnsureKeyRingReadableAsync();
    }
}
