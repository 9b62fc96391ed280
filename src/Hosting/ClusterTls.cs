using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace ScanLogin.Hosting;

/// <summary>
/// Mutual TLS on the cluster's own ports (section "Orleans:Tls"): silo to silo and front end to gateway. Each host
/// shows its certificate and accepts a peer only if the peer's certificate was signed by the configured authority,
/// so reaching a silo port is not enough to call a grain.
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string Section = "Orleans:Tls";

    /// <summary>This host's certificate: a PEM file (key in <see cref="KeyPath"/> or in the same file) or a PFX (PKCS#12) file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM certificate, when it is not in the certificate's file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX file's password, or the PEM key's when it is encrypted.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the certificate authority (or authorities, during a rotation) that must have signed every peer.</summary>
    public string? CertificateAuthorityPath { get; set; }

    /// <summary>
    /// Outside Development the hosts refuse to start without a certificate unless this says the network between
    /// them is trusted (only silos and front ends can reach the silo ports), and then talk in plain text.
    /// </summary>
    public bool NetworkIsTrusted { get; set; }

    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificatePath);

    public static ClusterTlsOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ClusterTlsOptions>() ?? new();
}

public static class ClusterTls
{
    /// <summary>The production guard's rule: a certificate, or the explicit word that the network is trusted.</summary>
    public static ProductionGuard.Requirement Requirement { get; } = new(
        $"{ClusterTlsOptions.Section}:CertificatePath",
        c => ClusterTlsOptions.From(c) is { } o && (o.HasCertificate || o.NetworkIsTrusted),
        "without the cluster's certificate anything that reaches a silo or gateway port can call any grain " +
        $"(give each host a certificate and {ClusterTlsOptions.Section}:CertificateAuthorityPath, or set " +
        $"{ClusterTlsOptions.Section}:NetworkIsTrusted=true where only silos and front ends can reach those ports)");

    /// <summary>Silo side: TLS on the silo and gateway ports and on connections to other silos, when configured.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (Load(ClusterTlsOptions.From(configuration)) is not var (certificate, authorities)) return silo;
        return silo.UseTls(certificate, tls => RequirePeersOf(tls, authorities));
    }

    /// <summary>Client side (front ends): TLS to the gateways with this host's certificate, when configured.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, IConfiguration configuration)
    {
        if (Load(ClusterTlsOptions.From(configuration)) is not var (certificate, authorities)) return client;
        return client.UseTls(certificate, tls => RequirePeersOf(tls, authorities));
    }

    private static void RequirePeersOf(TlsOptions tls, X509Certificate2Collection authorities)
    {
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Orleans' default lets a client connect to a silo without a certificate: require one.
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = (certificate, _, _) => IsSignedBy(certificate, authorities);
        tls.HandshakeTimeout = TimeSpan.FromSeconds(10);
    }

    /// <summary>
    /// The peer's certificate chains up to one of our authorities (and only to them, not the machine's trusted roots).
    /// Host names are not compared: hosts dial each other by address, and membership is what the authority vouches for.
    /// </summary>
    public static bool IsSignedBy(X509Certificate2? certificate, X509Certificate2Collection authorities)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>This host's certificate and the peers' authorities, or null when no certificate is configured.</summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Authorities)? Load(ClusterTlsOptions options)
    {
        if (!options.HasCertificate) return null;
        if (string.IsNullOrWhiteSpace(options.CertificateAuthorityPath))
            throw new InvalidOperationException($"{ClusterTlsOptions.Section}:CertificatePath is set without " +
                $"{ClusterTlsOptions.Section}:CertificateAuthorityPath: name the authority that must have signed the cluster's peers.");
        var certificate = LoadCertificate(options);
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"{ClusterTlsOptions.Section}:CertificatePath ({options.CertificatePath}) has no private key: " +
                $"set {ClusterTlsOptions.Section}:KeyPath, or use a PFX file that holds the key.");
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(options.CertificateAuthorityPath);
        if (authorities.Count == 0)
            throw new InvalidOperationException($"{ClusterTlsOptions.Section}:CertificateAuthorityPath ({options.CertificateAuthorityPath}) holds no PEM certificate.");
        if (!IsSignedBy(certificate, authorities))
            throw new InvalidOperationException($"{ClusterTlsOptions.Section}:CertificatePath ({options.CertificatePath}) is not signed by " +
                $"{ClusterTlsOptions.Section}:CertificateAuthorityPath ({options.CertificateAuthorityPath}) or has expired: the other hosts would refuse it.");
        return (certificate, authorities);
    }

    private static X509Certificate2 LoadCertificate(ClusterTlsOptions options)
    {
        var path = options.CertificatePath!;
        var isPem = File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal);
        if (!isPem) return X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
        var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath;
        using var pem = options.Password is { Length: > 0 } password
            ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
            : X509Certificate2.CreateFromPemFile(path, keyPath);
        // A PEM key is ephemeral; TLS wants a key it can hand to the platform, as a PKCS#12 import gives.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
