using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Concentrator.Ports.Security;

/// <summary>Whether a TLS listener asks its clients for a certificate.</summary>
public enum ClientCertificateMode { Off, Optional, Required }

/// <summary>
/// A listener's <c>tls { certificate, key, client-ca, client-certificate }</c>, with the PEM files already loaded and
/// checked (by <see cref="TlsMaterialLoader"/> at config time), so a session's handshake never touches the disk.
/// Equal when the same files hold the same certificates: a reload with a renewed certificate is a change.
/// </summary>
public sealed class TlsSettings : IEquatable<TlsSettings>
{
    private readonly Lazy<SslStreamCertificateContext> _context;

    public TlsSettings(string certificateFile, string keyFile, string? clientCaFile, ClientCertificateMode clientCertificates,
        X509Certificate2 certificate, X509Certificate2Collection intermediates, X509Certificate2Collection clientCas)
    {
        CertificateFile = certificateFile;
        KeyFile = keyFile;
        ClientCaFile = clientCaFile;
        ClientCertificates = clientCertificates;
        Certificate = certificate;
        Intermediates = intermediates;
        ClientCas = clientCas;
        // Built once per listener: the chain the server sends, without any network fetch (offline).
        _context = new Lazy<SslStreamCertificateContext>(() => SslStreamCertificateContext.Create(certificate, intermediates, offline: true));
    }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    public string? ClientCaFile { get; }

    public ClientCertificateMode ClientCertificates { get; }

    /// <summary>The server certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Further certificates of the certificate file (the chain up to, not including, the root).</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>The only roots a client certificate may chain to (CustomRootTrust: the system's roots play no part).</summary>
    public X509Certificate2Collection ClientCas { get; }

    /// <summary>
    /// The server side of one handshake: TLS 1.2 or 1.3 (1.3 where the OS's OpenSSL has it), the client asked for a
    /// certificate unless off, and that certificate checked against client-ca only. <paramref name="rejected"/> is told
    /// why a client certificate was refused, so the log names the cause rather than "handshake failed".
    /// </summary>
    public SslServerAuthenticationOptions ServerOptions(Action<string> rejected) => new()
    {
        ServerCertificateContext = _context.Value,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateRequired = ClientCertificates != ClientCertificateMode.Off,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            var problem = ClientCertificateValidator.Problem(certificate, chain, ClientCas, ClientCertificates);
            if (problem is not null)
            {
                rejected(problem);
            }

            return problem is null;
        },
    };

    public override string ToString() =>
        $"tls ({Certificate.GetNameInfo(X509NameType.SimpleName, false)}" +
        (ClientCertificates == ClientCertificateMode.Off ? "" : $", client certificate {ClientCertificates.ToString().ToLowerInvariant()}") + ")";

    public bool Equals(TlsSettings? other) =>
        other is not null && CertificateFile == other.CertificateFile && KeyFile == other.KeyFile && ClientCaFile == other.ClientCaFile &&
        ClientCertificates == other.ClientCertificates && Certificate.Thumbprint == other.Certificate.Thumbprint &&
        ClientCas.Select(c => c.Thumbprint).SequenceEqual(other.ClientCas.Select(c => c.Thumbprint));

    public override bool Equals(object? obj) => Equals(obj as TlsSettings);

    public override int GetHashCode() => HashCode.Combine(CertificateFile, Certificate.Thumbprint);
}
