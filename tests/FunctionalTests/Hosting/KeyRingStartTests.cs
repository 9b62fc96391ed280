using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ScanLogin.Grains;
using ScanLogin.Silo;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.FunctionalTests.Hosting;

/// <summary>A silo whose SecretEncryptionKey is not the one the stored key ring was made with stops at start, naming the setting.</summary>
public sealed class KeyRingStartTests
{
    private static IHost Silo(string database, byte keyByte) =>
        SiloBuilder.Create(["--environment", "Development"], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PostgreSQL"] = database,
            ["Orleans:ClusterId"] = "keyring-" + Guid.NewGuid().ToString("N")[..12],
            ["Orleans:SiloPort"] = TestPorts.FreePort().ToString(),
            ["Orleans:GatewayPort"] = TestPorts.FreePort().ToString(),
            ["ScanLogin:Keys:SecretEncryptionKey"] = Convert.ToBase64String(Enumerable.Repeat(keyByte, 32).ToArray()),
            ["ScanLogin:Telemetry:Dashboard"] = "false",
        })).Build();

    [Fact]
    public async Task A_silo_whose_key_cannot_unwrap_the_stored_key_ring_refuses_to_start_naming_the_setting()
    {
        var database = await TestServices.NewDatabaseAsync("keyring_");

        using (var first = Silo(database, 7))
        {
            await first.StartAsync();
            await first.Services.GetRequiredService<SecretProtector>().RotateAsync();
            await first.StopAsync();
        }

        using var changedKey = Silo(database, 8);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => changedKey.StartAsync());
        Assert.Contains("ScanLogin:Keys:SecretEncryptionKey", error.Message);

        using var sameKey = Silo(database, 7);
        await sameKey.StartAsync();
        await sameKey.StopAsync();
    }
}
