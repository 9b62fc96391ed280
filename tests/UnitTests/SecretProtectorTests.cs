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

    private static SecretProtector Protector(ISecretKeyStore store, string master, TimeProvider? time = null) =>
        new(Options.Create(new KeyOptions { SecretEncryptionKey = master }), store, time ?? TimeProvider.System);

    [Fact]
    public async Task A_secret_round_trips_and_is_not_readable_in_its_stored_form()
    {
        var protector = Protector(new InMemorySecretKeyStore(), Master);
        var stored = await protector.ProtectAsync("0123456789abcdef0123456789abcdef");
        Assert.StartsWith("v2.1.", stored);
        Assert.DoesNotContain("0123456789abcdef", stored);
        Assert.Equal("0123456789abcdef0123456789abcdef", await protector.UnprotectAsync(stored));
        Assert.NotEqual(stored, await protector.ProtectAsync("0123456789abcdef0123456789abcdef")); // fresh nonce each time
    }

    [Fact]
    public async Task Rotation_makes_a_new_current_key_and_old_secrets_stay_readable()
    {
        var store = new InMemorySecretKeyStore();
        var protector = Protector(store, Master);
        var old = await protector.ProtectAsync("old secret");
        Assert.Equal(2, await protector.RotateAsync());
        var fresh = await protector.ProtectAsync("new secret");
        Assert.StartsWith("v2.2.", fresh);
        Assert.Equal("old secret", await protector.UnprotectAsync(old));

        // Another silo with the same store and master key reads both, including the key it has not loaded yet.
        var other = Protector(store, Master);
        Assert.Equal("new secret", await other.UnprotectAsync(fresh));
        Assert.Equal((2, 2), await other.StatusAsync());
    }

    [Fact]
    public async Task The_stored_keys_are_useless_without_the_master_key()
    {
        var store = new InMemorySecretKeyStore();
        var stored = await Protector(store, Master).ProtectAsync("secret");
        var wrongMaster = Protector(store, Convert.ToBase64String(new byte[32]));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => wrongMaster.UnprotectAsync(stored));
        var (_, wrapped) = Assert.Single(await store.LoadAsync());
        Assert.Equal(12 + 16 + 32, wrapped.Length); // nonce, tag and the encrypted 32-byte key
    }

    [Fact]
    public async Task A_tampered_secret_is_refused()
    {
        var protector = Protector(new InMemorySecretKeyStore(), Master);
        var parts = (await protector.ProtectAsync("secret")).Split('.');
        parts[1] = "1";
        var cipher = Convert.FromBase64String(parts[3]);
        cipher[0] ^= 1;
        parts[3] = Convert.ToBase64String(cipher);
        await Assert.ThrowsAnyAsync<CryptographicException>(() => protector.UnprotectAsync(string.Join('.', parts)));
    }
}
