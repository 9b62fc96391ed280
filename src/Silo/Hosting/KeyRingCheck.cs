using ScanLogin.Grains;

namespace ScanLogin.Silo.Hosting;

/// <summary>
/// Before the silo joins the cluster: the configured SecretEncryptionKey must unwrap the key ring in the database, or
/// the silo stops naming the setting (rather than start and answer 500 at the first login that needs a secret).
/// </summary>
internal sealed class KeyRingCheck(SecretProtector protector) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => protector.EnsureKeyRingReadableAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
