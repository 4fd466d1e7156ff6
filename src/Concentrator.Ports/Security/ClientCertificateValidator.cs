using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Concentrator.Ports.Security;

/// <summary>
/// Checks a client certificate against the listener's client-ca and nothing else (X509ChainTrustMode.CustomRootTrust):
/// a certificate some public CA signed is not a client of ours. Revocation is not checked (no CRL/OCSP fetches from a
/// console server; remove a client from the CA's set or the ACL instead).
/// </summary>
public static class ClientCertificateValidator
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Why the certificate is refused, or null when it is good (or absent and not required).</summary>
    public static string? Problem(X509Certificate? certificate, X509Chain? sent, X509Certificate2Collection clientCas, ClientCertificateMode mode)
    {
        ArgumentNullException.ThrowIfNull(clientCas);
        if (certificate is null)
        {
            return mode == ClientCertificateMode.Required ? "the client sent no certificate (client-certificate = required)" : null;
        }

        var leaf = certificate as X509Certificate2;
        using var copy = leaf is null ? new X509Certificate2(certificate) : null;
        leaf ??= copy!;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(clientCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication); // a certificate without EKU passes; a server-only one does not
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (sent is not null)
        {
            foreach (var element in sent.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(leaf))
        {
            return null;
        }

        var causes = chain.ChainStatus.Select(s => s.Status).Distinct().Select(Describe);
        return $"client certificate '{leaf.Subject}' refused: {string.Join("; ", causes)}";
    }

    private static string Describe(X509ChainStatusFlags status) => status switch
    {
        X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "not signed by the listener's client-ca",
        X509ChainStatusFlags.NotTimeValid => "expired or not yet valid",
        X509ChainStatusFlags.NotValidForUsage => "not meant for client authentication (extended key usage)",
        X509ChainStatusFlags.NotSignatureValid => "bad signature",
        _ => status.ToString(),
    };

    /// <summary>The principal of a client certificate: "cert:" + its subject's CN; null when it has none.</summary>
    public static string? PrincipalName(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return null;
        }

        var cn = new X500DistinguishedName(certificate.Subject).EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(n => n.GetSingleElementType().Value == "2.5.4.3")?.GetSingleElementValue();
        return string.IsNullOrWhiteSpace(cn) ? null : "cert:" + cn;
    }
}
