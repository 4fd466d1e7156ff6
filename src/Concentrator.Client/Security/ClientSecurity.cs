using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Concentrator.Client.Security;

/// <summary>A connection could not be secured: the TLS handshake failed, or a certificate file is unusable.</summary>
public sealed class ConnectionSecurityException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// How our clients (attach, pty, bridge) reach a secured listener: TLS (<c>--tls</c>), the CA the server's
/// certificate must chain to (<c>--ca</c>; the system's roots without it), a client certificate (<c>--cert</c>,
/// <c>--key</c>), a login (<c>--user</c>, with the password already read), and a lease's token (<c>--lease-token</c>),
/// presented once connected (and logged in) so the session holds that lease.
/// </summary>
public sealed record ClientSecurity(bool Tls = false, string? CaFile = null, string? CertificateFile = null, string? KeyFile = null,
    string? User = null, string? Password = null, string? LeaseToken = null)
{
    /// <summary>No password and no token: records print themselves.</summary>
    public override string ToString() => $"ClientSecurity {{ Tls = {Tls}, CaFile = {CaFile}, CertificateFile = {CertificateFile}, User = {User} }}";

    public static ClientSecurity None { get; } = new();

    /// <summary>Runs the TLS handshake over <paramref name="inner"/> when <see cref="Tls"/> is set; otherwise returns it as is.</summary>
    public async Task<Stream> SecureAsync(Stream inner, string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!Tls)
        {
            return inner;
        }

        var roots = CaFile is null ? null : LoadCertificates(CaFile);
        X509Certificate2Collection? clientCertificates = null;
        if (CertificateFile is not null)
        {
            try
            {
                clientCertificates = [X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile ?? CertificateFile)];
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new ConnectionSecurityException($"cannot use the client certificate {CertificateFile} with key {KeyFile}: {e.Message}", e);
            }
        }

        string? problem = null;
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificates = clientCertificates,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                problem = ServerCertificateProblem(certificate, chain, errors, roots);
                return problem is null;
            },
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new ConnectionSecurityException(problem is null ? $"TLS handshake failed: {e.Message}" : $"TLS: {problem}", e);
        }
    }

    /// <summary>With --ca, the server's chain must end at that CA (and nowhere else); without it, the system's roots decide.</summary>
    private static string? ServerCertificateProblem(X509Certificate? certificate, X509Chain? sent, SslPolicyErrors errors, X509Certificate2Collection? roots)
    {
        if (certificate is null)
        {
            return "the server sent no certificate";
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return "the server's certificate is for another name than the host connected to";
        }

        if (roots is null)
        {
            return errors == SslPolicyErrors.None ? null : "the server's certificate is not trusted by this system (give its CA with --ca FILE)";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        foreach (var element in sent?.ChainElements.Skip(1) ?? [])
        {
            chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        var leaf = certificate as X509Certificate2;
        using var copy = leaf is null ? new X509Certificate2(certificate) : null;
        return chain.Build(leaf ?? copy!)
            ? null
            : $"the server's certificate is not accepted by the CA in --ca ({string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct())})";
    }

    private static X509Certificate2Collection LoadCertificates(string file)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConnectionSecurityException($"cannot read the CA file {file}: {e.Message}", e);
        }

        return certificates.Count > 0 ? certificates : throw new ConnectionSecurityException($"no PEM certificate in the CA file {file}");
    }
}
