using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Concentrator.Ports.Security;

/// <summary>
/// Loads and checks a listener's PEM files at config time, so every problem is reported before anything binds:
/// a missing or unreadable file, a file with no certificate, a key that is not a key, is encrypted, does not match
/// the certificate, or is readable by group or others. Expiry is not an error here (see <see cref="SecurityAudit"/>).
/// </summary>
public static class TlsMaterialLoader
{
    /// <summary>Loads the files; every problem goes to <paramref name="problem"/> as (key, value, text).</summary>
    public static TlsSettings? Load(string certificateFile, string keyFile, string? clientCaFile, ClientCertificateMode mode,
        Action<string, string, string> problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var certificates = ReadCertificates(certificateFile, "certificate", problem);
        var keyText = ReadKey(keyFile, problem);
        var clientCas = clientCaFile is null ? [] : ReadCertificates(clientCaFile, "client-ca", problem);
        if (certificates is null || keyText is null || clientCas is null)
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile), keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException) // RSA keys throw the one, EC keys the other
        {
            problem("key", keyFile, $"the key does not match the certificate in {certificateFile}");
            return null;
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var other in certificates.Skip(1))
        {
            intermediates.Add(other);
        }

        return new TlsSettings(certificateFile, keyFile, clientCaFile, mode, certificate, intermediates, clientCas);
    }

    /// <summary>The PEM certificates of <paramref name="file"/>; null (and a problem) when it cannot be read or holds none.</summary>
    public static X509Certificate2Collection? ReadCertificates(string file, string key, Action<string, string, string> problem)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem(key, file, $"cannot read the file: {e.Message}");
            return null;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            problem(key, file, $"not a PEM certificate: {e.Message}");
            return null;
        }

        if (certificates.Count == 0)
        {
            problem(key, file, "no certificate in the file (expected PEM: -----BEGIN CERTIFICATE-----)");
            return null;
        }

        return certificates;
    }

    private static string? ReadKey(string file, Action<string, string, string> problem)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem("key", file, $"cannot read the file: {e.Message}");
            return null;
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(file);
            const UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & Shared) != 0)
            {
                problem("key", file, $"the private key is readable by group or others (mode {Convert.ToString((int)mode, 8)}); run chmod 600 {file}");
                return null;
            }
        }

        if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal) || text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            problem("key", file, "the private key is encrypted; the daemon cannot ask for a passphrase (openssl pkey -in KEY -out PLAIN)");
            return null;
        }

        if (!IsPrivateKey(text))
        {
            problem("key", file, "no private key in the file (expected PEM: -----BEGIN PRIVATE KEY----- or an RSA / EC private key)");
            return null;
        }

        return text;
    }

    private static bool IsPrivateKey(string text)
    {
        foreach (var make in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create })
        {
            using var algorithm = make();
            try
            {
                algorithm.ImportFromPem(text);
                return true;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
            }
        }

        return false;
    }
}
