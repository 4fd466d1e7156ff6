using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>
/// A throwaway PKI made with the real openssl in a test's temp directory: a CA, a server certificate for localhost /
/// 127.0.0.1, client certificates (good, expired, signed by another CA), cluster node certificates on demand. Keys are
/// mode 0600 as the daemon demands.
/// Nothing here is ever committed: every test run makes its own.
/// </summary>
public sealed class TestPki
{
    private TestPki(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaCertificate => File("ca.crt");

    public string ServerCertificate => File("server.crt");

    public string ServerKey => File("server.key");

    public string File(string name) => Path.Combine(Directory, name);

    public static TestPki Create(string directory)
    {
        var pki = new TestPki(directory);
        pki.Authority("ca", "Test CA");
        pki.Authority("other-ca", "Other CA");
        pki.Issue("server", "localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth", days: 30);
        pki.Issue("client", "ci-runner", "ca", "extendedKeyUsage=clientAuth", days: 30);
        pki.Issue("stranger", "ci-runner", "other-ca", "extendedKeyUsage=clientAuth", days: 30);
        pki.Issue("expired", "old-runner", "ca", "extendedKeyUsage=clientAuth", days: -1);
        return pki;
    }

    /// <summary>
    /// A cluster node's certificate signed by <paramref name="ca"/> ("ca" or "other-ca"), for 127.0.0.1, as the PKCS#12
    /// file a node reads (mode 0600) with its password file beside it (0600); returns both paths.
    /// </summary>
    public (string Pfx, string PasswordFile) ClusterNode(string name, string ca)
    {
        Issue(name, name, ca, "subjectAltName=IP:127.0.0.1", days: 30);
        OpenSsl(["pkcs12", "-export", "-in", $"{name}.crt", "-inkey", $"{name}.key", "-out", $"{name}.pfx", "-passout", $"pass:{name}-pass"]);
        System.IO.File.WriteAllText(File($"{name}.pass"), $"{name}-pass\n");
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(File($"{name}.pfx"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            System.IO.File.SetUnixFileMode(File($"{name}.pass"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return (File($"{name}.pfx"), File($"{name}.pass"));
    }

    private void Authority(string name, string cn) =>
        OpenSsl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", $"{name}.key", "-out", $"{name}.crt",
            "-days", "30", "-subj", $"/CN={cn}"]);

    /// <summary>A key and a certificate signed by <paramref name="ca"/>; negative <paramref name="days"/> makes it already expired.</summary>
    private void Issue(string name, string cn, string ca, string extensions, int days)
    {
        OpenSsl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", $"{name}.key", "-out", $"{name}.csr", "-subj", $"/CN={cn}"]);
        System.IO.File.WriteAllText(File($"{name}.ext"), extensions + "\n");
        // openssl takes a negative -days: the certificate ended before it was made.
        OpenSsl(["x509", "-req", "-in", $"{name}.csr", "-CA", $"{ca}.crt", "-CAkey", $"{ca}.key", "-CAcreateserial", "-out", $"{name}.crt",
            "-days", days.ToString(System.Globalization.CultureInfo.InvariantCulture), "-extfile", $"{name}.ext"]);
    }

    private void OpenSsl(string[] args)
    {
        ExternalCommand.MustRun("openssl", args, workingDirectory: Directory);
        foreach (var key in System.IO.Directory.GetFiles(Directory, "*.key"))
        {
            if (!OperatingSystem.IsWindows())
            {
                System.IO.File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }
}
