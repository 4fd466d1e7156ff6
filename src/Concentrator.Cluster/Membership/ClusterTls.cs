using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Transport.DotNetty;
using Concentrator.Cluster.Configuration;
using Microsoft.Extensions.Logging;

namespace Concentrator.Cluster.Membership;

/// <summary>
/// TLS on the cluster transport, given to Akka.Remote in code (a <see cref="DotNettySslSetup"/>) rather than in HOCON,
/// so that the peer check is ours. Mutual: a node dialing in presents its certificate as one dialed does. With
/// <c>tls.ca</c>, every peer's certificate must chain to one of the pinned cluster CAs and nothing else: the
/// system's trust store plays no part, so a certificate a public CA issued does not make its holder a member.
/// Akka calls the check on both sides of every handshake (verified: ClusterCaTests).
/// </summary>
internal sealed partial class ClusterTls : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly ClusterTlsSettings _settings;
    private readonly ILogger _log;

    public ClusterTls(ClusterTlsSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
        // Loaded once for every incarnation of the cluster actor system (a rejoin reads no file).
        _certificate = X509CertificateLoader.LoadPkcs12FromFile(settings.Certificate, settings.Password);
    }

    /// <summary>For the BootstrapSetup; the certificate is not in HOCON, so Akka takes it and the check from here alone.</summary>
    public DotNettySslSetup Setup() => new(_certificate, _settings.SuppressValidation, requireMutualAuthentication: true,
        _settings.CaFile is null ? null : Check);

    /// <summary>Why <paramref name="certificate"/> is not from a pinned cluster CA, or null when it is.</summary>
    public static string? Problem(X509Certificate2? certificate, X509Chain? sent, X509Certificate2Collection cas)
    {
        ArgumentNullException.ThrowIfNull(cas);
        if (certificate is null)
        {
            return "it presented no certificate";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        // NoCheck: a cluster CA run with openssl publishes no CRL or OCSP responder, so any other mode refuses every
        // peer (RevocationStatusUnknown), and an online check would make each handshake fetch from the network. A
        // node is retired by issuing the others' certificates from a new CA and pinning that.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (sent is not null)
        {
            // The intermediates the peer sent; they help build the chain but are never trusted themselves.
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
            foreach (var element in sent.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(certificate))
        {
            return null;
        }

        var causes = chain.ChainStatus.Select(s => s.Status).Distinct().Select(Describe);
        return $"its certificate '{certificate.Subject}' (issuer '{certificate.Issuer}', thumbprint {certificate.Thumbprint}) " +
               string.Join("; ", causes);
    }

    private bool Check(X509Certificate2? certificate, X509Chain? chain, string peer, System.Net.Security.SslPolicyErrors errors,
        Akka.Event.ILoggingAdapter log)
    {
        // The system's verdict (errors) is ignored on purpose: it is the system store's, and a name mismatch means
        // nothing here (nodes are dialed by address, and every node of the CA is a member alike).
        var problem = Problem(certificate, chain, _settings.Cas);
        if (problem is not null)
        {
            LogRefused(_log, peer, problem, _settings.CaFile!);
        }

        return problem is null;
    }

    private static string Describe(X509ChainStatusFlags status) => status switch
    {
        X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "is not issued by the pinned cluster CA",
        X509ChainStatusFlags.NotTimeValid => "is expired or not yet valid",
        X509ChainStatusFlags.NotSignatureValid => "has a bad signature",
        X509ChainStatusFlags.NotValidForUsage => "is not meant for this use (key usage)",
        _ => $"fails the chain check ({status})",
    };

    public void Dispose() => _certificate.Dispose();

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "cluster: refused the TLS peer {Peer}: {Problem}; only certificates from the cluster CA in {CaFile} may join")]
    private static partial void LogRefused(ILogger logger, string peer, string problem, string caFile);
}
