using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ScanLogin.Tests.Shared;

/// <summary>
/// A throw-away certificate authority and one host certificate it signed, as PEM files in a temporary folder: what
/// deploy/lib.sh makes with openssl for the scripts. Every silo and front end a test starts shows this certificate to the
/// others (Orleans:Tls), so the tests run the cluster as production does, over mutual TLS.
/// </summary>
public sealed class ClusterCertificates
{
    private static readonly Lazy<ClusterCertificates> s_cluster = new(() => Create("scanlogin-test-cluster"));

    /// <summary>The certificates of every cluster the tests start.</summary>
    public static ClusterCertificates Cluster => s_cluster.Value;

    public required string Folder { get; init; }

    public string CertificatePath => Path.Combine(Folder, "host.crt");

    public string KeyPath => Path.Combine(Folder, "host.key");

    public string AuthorityPath => Path.Combine(Folder, "ca.crt");

    /// <summary>The settings that make a silo or front end use these certificates.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Orleans:Tls:CertificatePath"] = CertificatePath,
        ["Orleans:Tls:KeyPath"] = KeyPath,
        ["Orleans:Tls:CertificateAuthorityPath"] = AuthorityPath,
    };

    /// <summary>A new authority and a host certificate it signed (serverAuth and clientAuth), valid for a day.</summary>
    public static ClusterCertificates Create(string name)
    {
        var folder = Directory.CreateTempSubdirectory("scanlogin-tls-").FullName;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN={name} CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var authority = authorityRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var hostKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hostRequest = new CertificateRequest($"CN={name} host", hostKey, HashAlgorithmName.SHA256);
        hostRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        hostRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        hostRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        hostRequest.CertificateExtensions.Add(san.Build());
        hostRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var host = hostRequest.Create(authority, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));

        var files = new ClusterCertificates { Folder = folder };
        File.WriteAllText(files.AuthorityPath, authority.ExportCertificatePem());
        File.WriteAllText(files.CertificatePath, host.ExportCertificatePem());
        File.WriteAllText(files.KeyPath, hostKey.ExportPkcs8PrivateKeyPem());
        return files;
    }
}
